package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/** {@code static ByteBuffer ByteBuffer.allocate(int capacity)}: enter {@code GrowthHooks.allocate(BYTE_BUFFER_ALLOCATE, capacity)}. */
final class ByteBufferAllocate extends Advice {
    static final String OWNER = "java/nio/ByteBuffer";

    ByteBufferAllocate() {
        super(OWNER, "allocate", "(I)Ljava/nio/ByteBuffer;", true, GrowthPoint.BYTE_BUFFER_ALLOCATE);
    }

    @Override
    void enter(MethodVisitor mv) {
        pushPoint(mv);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "allocate", "(II)Ljava/lang/Object;", false);
    }
}

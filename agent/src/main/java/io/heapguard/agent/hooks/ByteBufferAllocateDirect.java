package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code static ByteBuffer ByteBuffer.allocateDirect(int capacity)}: enter
 * {@code GrowthHooks.allocateDirect(capacity)}, bind to the returned buffer (whose cleaner frees the
 * native memory when it is collected).
 */
final class ByteBufferAllocateDirect extends Advice {

    ByteBufferAllocateDirect() {
        super(ByteBufferAllocate.OWNER, "allocateDirect", "(I)Ljava/nio/ByteBuffer;", true,
                GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT);
    }

    @Override
    void enter(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "allocateDirect", "(I)Ljava/lang/Object;", false);
    }
}

package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code private void ByteArrayOutputStream.ensureCapacity(int minCapacity)}, through which every write
 * grows the buffer (JDK 17 and 25): enter {@code GrowthHooks.byteArrayOutputStreamGrowth(buf.length,
 * minCapacity)}, then tie the charge to the stream itself ({@code bindOwner(this)}), never to the new,
 * possibly humongous, array. The method is private to {@code ByteArrayOutputStream}, so subclasses are
 * covered too.
 */
final class ByteArrayOutputStreamGrowth extends Advice {
    static final String OWNER = "java/io/ByteArrayOutputStream";

    ByteArrayOutputStreamGrowth() {
        super(OWNER, "ensureCapacity", "(I)V", false, GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM);
    }

    @Override
    void enter(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, OWNER, "buf", "[B");
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "byteArrayOutputStreamGrowth", "(II)Ljava/lang/Object;", false);
    }

    @Override
    void pushAllocated(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
    }

    @Override
    String bindMethod() {
        return BIND_OWNER;
    }
}

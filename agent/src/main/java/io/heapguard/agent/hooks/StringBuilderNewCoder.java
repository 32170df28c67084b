package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * JDK 25: {@code private static byte[] AbstractStringBuilder.ensureCapacityNewCoder(byte[] value, byte coder,
 * int count, int minCapacity, byte newCoder)}, which grows in the same coder ({@code Arrays.copyOf}) or
 * allocates the UTF-16 array of a coder change ({@code StringUTF16.newBytesFor}, which a hook cannot call):
 * enter {@code GrowthHooks.stringBuilderNewCoder(value.length, coder, minCapacity, newCoder)}, which
 * mirrors it, and bind to the array it returns.
 */
final class StringBuilderNewCoder extends Advice {

    StringBuilderNewCoder() {
        super(StringBuilderGrowth.OWNER, "ensureCapacityNewCoder", "([BBIIB)[B", true, GrowthPoint.STRING_BUILDER);
    }

    @Override
    void enter(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitVarInsn(Opcodes.ILOAD, 3);
        mv.visitVarInsn(Opcodes.ILOAD, 4);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "stringBuilderNewCoder", "(IIII)Ljava/lang/Object;", false);
    }
}

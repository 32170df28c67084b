package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * A {@code StringBuilder}/{@code StringBuffer} inflating from Latin-1 to UTF-16, which allocates twice the
 * current array: enter {@code GrowthHooks.stringBuilderInflate(coder, value.length)}.
 * <ul>
 * <li>JDK 17: {@code private void AbstractStringBuilder.inflate()}, which returns at once unless the
 *     coder is Latin-1; the charge is tied to the builder ({@code bindOwner(this)}).</li>
 * <li>JDK 25: {@code private static byte[] inflateToUTF16(byte[] value, int count)}, called only to
 *     inflate; static, so the charge is tied to the array it returns.</li>
 * </ul>
 */
final class StringBuilderInflate extends Advice {

    static StringBuilderInflate jdk17() {
        return new StringBuilderInflate("inflate", "()V", false);
    }

    static StringBuilderInflate jdk25() {
        return new StringBuilderInflate("inflateToUTF16", "([BI)[B", true);
    }

    private final boolean jdk25;

    private StringBuilderInflate(String name, String descriptor, boolean isStatic) {
        super(StringBuilderGrowth.OWNER, name, descriptor, isStatic, GrowthPoint.STRING_BUILDER);
        this.jdk25 = isStatic;
    }

    @Override
    void enter(MethodVisitor mv) {
        if (jdk25) {
            mv.visitInsn(Opcodes.ICONST_0); // LATIN1: inflateToUTF16 is only called to inflate
            mv.visitVarInsn(Opcodes.ALOAD, 0);
        } else {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, StringBuilderGrowth.OWNER, "coder", "B");
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, StringBuilderGrowth.OWNER, "value", "[B");
        }
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "stringBuilderInflate", "(II)Ljava/lang/Object;", false);
    }

    @Override
    void pushAllocated(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, 0); // JDK 17's void inflate(): the builder
    }

    @Override
    String bindMethod() {
        return jdk25 ? BIND : BIND_OWNER;
    }
}

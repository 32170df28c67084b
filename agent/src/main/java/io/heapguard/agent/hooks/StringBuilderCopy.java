package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * The string a {@code StringBuilder} or {@code StringBuffer} hands out, {@code toString()} (JDK 17 and
 * 25): enter {@code GrowthHooks.allocate(STRING_BUILDER, count << coder)}, bind to the string. A
 * {@code StringBuffer} hands out its cached string while unchanged, which is charged only when made:
 * {@code GrowthHooks.allocateUnlessCached(STRING_BUILDER, toStringCache, count << coder)}. (On JDK 25 a UTF-16
 * builder whose content fits Latin-1 makes a string of half that; the charge is the upper bound.)
 */
final class StringBuilderCopy extends Advice {

    static StringBuilderCopy builder() {
        return new StringBuilderCopy("java/lang/StringBuilder");
    }

    static StringBuilderCopy buffer() {
        return new StringBuilderCopy("java/lang/StringBuffer");
    }

    private StringBuilderCopy(String owner) {
        super(owner, "toString", "()Ljava/lang/String;", false, GrowthPoint.STRING_BUILDER);
    }

    private boolean cached() {
        return owner().equals("java/lang/StringBuffer");
    }

    @Override
    void enter(MethodVisitor mv) {
        pushPoint(mv);
        if (cached()) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, owner(), "toStringCache", "Ljava/lang/String;");
        }
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, StringBuilderGrowth.OWNER, "count", "I");
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, StringBuilderGrowth.OWNER, "coder", "B");
        mv.visitInsn(Opcodes.ISHL);
        if (cached()) {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "allocateUnlessCached", "(ILjava/lang/Object;I)Ljava/lang/Object;",
                    false);
        } else {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "allocate", "(II)Ljava/lang/Object;", false);
        }
    }
}

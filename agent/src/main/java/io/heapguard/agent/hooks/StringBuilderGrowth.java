package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code StringBuilder}/{@code StringBuffer} growth in the same coder: the {@code Arrays.copyOf(byte[], int)}
 * in {@code AbstractStringBuilder.ensureCapacityInternal(int)} (JDK 17) or in the static
 * {@code ensureCapacitySameCoder(byte[], byte, int)} (JDK 25) becomes {@code GrowthHooks.copyOfBytes}:
 * the length it is given is the new capacity already shifted by the coder, so it is the exact number of
 * bytes allocated. On JDK 17 the charge is tied to the builder; JDK 25's helper is static, so there it is
 * tied to the new array.
 */
final class StringBuilderGrowth extends CallSiteAdvice {
    static final String OWNER = "java/lang/AbstractStringBuilder";

    /** JDK 17: {@code private void ensureCapacityInternal(int)}. */
    static StringBuilderGrowth jdk17() {
        return new StringBuilderGrowth("ensureCapacityInternal", "(I)V", false);
    }

    /** JDK 25: {@code private static byte[] ensureCapacitySameCoder(byte[], byte, int)}. */
    static StringBuilderGrowth jdk25() {
        return new StringBuilderGrowth("ensureCapacitySameCoder", "([BBI)[B", true);
    }

    private StringBuilderGrowth(String name, String descriptor, boolean isStatic) {
        super(OWNER, name, descriptor, isStatic, GrowthPoint.STRING_BUILDER);
    }

    @Override
    boolean methodInsn(MethodVisitor mv, int opcode, String owner, String name, String descriptor) {
        return replaceCopyOf(mv, opcode, owner, name, descriptor, COPY_OF_BYTES, "copyOfBytes");
    }
}

package io.heapguard.agent.arrays;

import org.objectweb.asm.Opcodes;

import io.heapguard.internal.ArrayHooks;

/**
 * The array lengths from which an allocation is charged, by element size, as {@link ArrayHooks} has them
 * once installed. The rewrite uses them to leave an allocation of a constant length below them (a varargs
 * array, a {@code new byte[8192]} buffer) exactly as it was: it could never be charged.
 */
final class Thresholds {
    /** By {@code newarray} type code; computed once, as the scan asks for every {@code newarray} it meets. */
    private final int[] byNewarrayType = new int[Opcodes.T_LONG + 1];
    final int minRef;

    private Thresholds(long minBytes, int referenceBytes) {
        for (int type = Opcodes.T_BOOLEAN; type <= Opcodes.T_LONG; type++) {
            byNewarrayType[type] = ArrayHooks.minLengthFor(minBytes, ArrayHooks.typeBytes(type));
        }
        this.minRef = ArrayHooks.minLengthFor(minBytes, referenceBytes);
    }

    /** What {@link ArrayHooks} has now (call after {@link ArrayHooks#install}). */
    static Thresholds fromHooks() {
        return new Thresholds(ArrayHooks.minBytes(), ArrayHooks.referenceBytes());
    }

    /** For tests: as {@link ArrayHooks} would have them, installed with these. */
    static Thresholds of(long minBytes, int referenceBytes) {
        return new Thresholds(minBytes, referenceBytes);
    }

    /** The smallest charged length of a {@code newarray} of this type code (4..11; another, as a long's). */
    int forNewarray(int atype) {
        return byNewarrayType[atype >= Opcodes.T_BOOLEAN && atype <= Opcodes.T_LONG ? atype : Opcodes.T_LONG];
    }
}

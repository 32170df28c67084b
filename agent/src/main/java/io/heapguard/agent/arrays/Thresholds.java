package io.heapguard.agent.arrays;

import io.heapguard.internal.ArrayHooks;

/**
 * The array lengths from which an allocation is charged, by element size, as {@link ArrayHooks} has them
 * once installed. The rewrite uses them to leave an allocation of a constant length below them (a varargs
 * array, a {@code new byte[8192]} buffer) exactly as it was: it could never be charged.
 */
final class Thresholds {
    final int min1;
    final int min2;
    final int min4;
    final int min8;
    final int minRef;
    final int referenceBytes;

    Thresholds(int min1, int min2, int min4, int min8, int minRef, int referenceBytes) {
        this.min1 = min1;
        this.min2 = min2;
        this.min4 = min4;
        this.min8 = min8;
        this.minRef = minRef;
        this.referenceBytes = referenceBytes;
    }

    /** What {@link ArrayHooks} has now (call after {@link ArrayHooks#install}). */
    static Thresholds fromHooks() {
        int ref = ArrayHooks.referenceBytes();
        return new Thresholds(ArrayHooks.minLength(1), ArrayHooks.minLength(2), ArrayHooks.minLength(4),
                ArrayHooks.minLength(8), ArrayHooks.minLength(ref), ref);
    }

    /** For tests: every allocation whose length is not a small constant is rewritten. */
    static Thresholds of(long minBytes, int referenceBytes) {
        return new Thresholds(len(minBytes, 1), len(minBytes, 2), len(minBytes, 4), len(minBytes, 8),
                len(minBytes, referenceBytes), referenceBytes);
    }

    private static int len(long bytes, int size) {
        long n = (bytes + size - 1) / size;
        return n >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /** The smallest charged length of a {@code newarray} of this type code (4..11). */
    int forNewarray(int atype) {
        switch (atype) {
            case 4: // T_BOOLEAN
            case 8: // T_BYTE
                return min1;
            case 5: // T_CHAR
            case 9: // T_SHORT
                return min2;
            case 6: // T_FLOAT
            case 10: // T_INT
                return min4;
            default: // T_DOUBLE, T_LONG
                return min8;
        }
    }
}

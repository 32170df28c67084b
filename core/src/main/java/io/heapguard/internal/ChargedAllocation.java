package io.heapguard.internal;

import java.lang.reflect.Array;
import java.util.Arrays;

import io.heapguard.ledger.Reservation;

/**
 * Where every hook's slow path ends: the allocation the hook stands in for, done as the JDK does it, with
 * the charge granted for it tied to the result (or to the buffer's owner) once it exists, or given back if
 * the allocation throws. An allocation is described by data, a kind and its operands, so this one method
 * serves {@link GrowthHooks} and {@link ArrayHooks}; their public methods differ by type only where a call
 * site needs its exact array type back.
 */
final class ChargedAllocation {

    // Kinds: the JVM's newarray type codes for the primitive arrays, then the others.
    static final int T_BOOLEAN = 4;
    static final int T_CHAR = 5;
    static final int T_FLOAT = 6;
    static final int T_DOUBLE = 7;
    static final int T_BYTE = 8;
    static final int T_SHORT = 9;
    static final int T_INT = 10;
    static final int T_LONG = 11;
    /** {@code Object[]}. */
    static final int REFERENCES = 12;
    /** An array of {@code type}, an {@code Object[]} subclass ({@code Arrays.copyOf(U[], int, Class)}). */
    static final int TYPED_REFERENCES = 13;
    /** {@code Array.newInstance(type, to)}. */
    static final int REFLECTIVE = 14;
    /** {@code Array.newInstance(type, (int[]) original)}: the dimensions stand where the original would. */
    static final int REFLECTIVE_DIMENSIONS = 15;

    /**
     * Bytes of a reference in an {@code Object[]} as this JVM lays them out: 4 with compressed oops, else 8.
     * HotSpot sets {@code java.vm.compressedOopsMode} exactly when references are compressed; it is absent
     * with {@code -XX:-UseCompressedOops}, ZGC or a heap too large for compressed oops. A system property
     * read once costs nothing at start-up (the platform MBeans would load JMX).
     */
    static final int REFERENCE_BYTES = compressedOops() ? 4 : 8;

    private ChargedAllocation() {
    }

    private static boolean compressedOops() {
        try {
            return System.getProperty("java.vm.compressedOopsMode") != null;
        } catch (SecurityException e) {
            return true;
        }
    }

    /** Bytes per element of a primitive kind (a {@code newarray} type code). */
    static int primitiveBytes(int kind) {
        switch (kind) {
            case T_BOOLEAN:
            case T_BYTE:
                return 1;
            case T_CHAR:
            case T_SHORT:
                return 2;
            case T_INT:
            case T_FLOAT:
                return 4;
            case T_LONG:
            case T_DOUBLE:
                return 8;
            default:
                throw new IllegalArgumentException("not a primitive array kind: " + kind);
        }
    }

    /**
     * Allocates an array of {@code kind}: the copy of {@code original} from {@code from} to {@code to}, as
     * {@code Arrays.copyOfRange} (which {@code Arrays.copyOf} is when {@code from} is 0, for the lengths
     * that reach a slow path), or with {@code original} {@code null} a new array of {@code to} elements.
     * {@code r}, when not {@code null}, is then tied to {@code owner}, or to the new array without one.
     */
    static Object allocate(Reservation r, Object owner, int kind, Object original, int from, int to, Class<?> type) {
        Object allocated;
        try {
            allocated = make(kind, original, from, to, type);
        } catch (Throwable t) {
            if (r != null) {
                r.abandon();
            }
            throw t;
        }
        if (r != null) {
            if (owner != null) {
                r.bindOwner(owner);
            } else {
                r.bind(allocated);
            }
        }
        return allocated;
    }

    private static Object make(int kind, Object original, int from, int to, Class<?> type) {
        if (kind == REFLECTIVE) {
            return Array.newInstance(type, to);
        }
        if (kind == REFLECTIVE_DIMENSIONS) {
            return Array.newInstance(type, (int[]) original);
        }
        return original == null ? newArray(kind, to) : copyOfRange(kind, original, from, to, type);
    }

    private static Object newArray(int kind, int length) {
        switch (kind) {
            case T_BOOLEAN:
                return new boolean[length];
            case T_BYTE:
                return new byte[length];
            case T_CHAR:
                return new char[length];
            case T_SHORT:
                return new short[length];
            case T_INT:
                return new int[length];
            case T_FLOAT:
                return new float[length];
            case T_LONG:
                return new long[length];
            case T_DOUBLE:
                return new double[length];
            default:
                return new Object[length];
        }
    }

    @SuppressWarnings("unchecked")
    private static Object copyOfRange(int kind, Object original, int from, int to, Class<?> type) {
        switch (kind) {
            case T_BOOLEAN:
                return Arrays.copyOfRange((boolean[]) original, from, to);
            case T_BYTE:
                return Arrays.copyOfRange((byte[]) original, from, to);
            case T_CHAR:
                return Arrays.copyOfRange((char[]) original, from, to);
            case T_SHORT:
                return Arrays.copyOfRange((short[]) original, from, to);
            case T_INT:
                return Arrays.copyOfRange((int[]) original, from, to);
            case T_FLOAT:
                return Arrays.copyOfRange((float[]) original, from, to);
            case T_LONG:
                return Arrays.copyOfRange((long[]) original, from, to);
            case T_DOUBLE:
                return Arrays.copyOfRange((double[]) original, from, to);
            case REFERENCES:
                return Arrays.copyOfRange((Object[]) original, from, to);
            default:
                return Arrays.copyOfRange((Object[]) original, from, to, (Class<? extends Object[]>) type);
        }
    }
}

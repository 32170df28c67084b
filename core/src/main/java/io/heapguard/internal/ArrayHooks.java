package io.heapguard.internal;

import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Reservation;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * What application and library code calls once the {@code array} guard has rewritten it: every
 * {@code newarray}, {@code anewarray}, {@code multianewarray}, {@code Array.newInstance} and
 * {@code Arrays.copyOf}/{@code copyOfRange} of a non-JDK class goes through here.
 *
 * <p><b>The fast path</b> is one volatile read, a compare and a branch, then the allocation the
 * application asked for: {@code length < minimum length for this element size}. The minimum lengths are
 * {@code arrays.min} divided by the element size, rounded up, computed once at {@link #install}; so an
 * array is charged exactly when its payload ({@code length × element size}, as every growth point counts
 * it, without the object header) is at least {@code arrays.min}. Negative lengths take the fast path and
 * the JVM throws its usual {@code NegativeArraySizeException}.
 *
 * <p><b>The slow path</b> asks the ledger (growth point {@code array}) before the array exists, allocates
 * it, and ties the charge to it; a refusal is a {@code QuotaExceededException} thrown from here, before
 * anything is allocated. Its call site is the frame that allocates (the first outside the JDK and heapguard,
 * whose frames are skipped): the application's own code, or the library code it called. If the allocation
 * itself throws (an {@code OutOfMemoryError}), the charge is given back.
 *
 * <p>Two shapes of call site, chosen by the rewrite:
 * <ul>
 * <li>replacement: {@code newarray T} becomes {@code invokestatic newTArray(I)[T};
 *     {@code Array.newInstance} and {@code Arrays.copyOf*} calls keep their descriptor and change owner.
 *     The stack has the same shape before and after, so no stack map frame changes.</li>
 * <li>check, then bind ({@code anewarray}, {@code multianewarray}): the JVM's own instruction stays; a
 *     {@code check*} call before it returns a reservation or {@code null}, {@link #bindPending} after it
 *     ties the charge to the array. (Not {@code ldc C; Array.newInstance}: C2 compiles that to a plain
 *     allocation, but C1 calls the native method, ~20 times slower than {@code anewarray}.) An allocation
 *     that throws between the two cannot give the charge back there; the same thread's next slow-path
 *     check does.</li>
 * </ul>
 *
 * <p>No lambdas, streams or {@code invokedynamic}: this class runs inside arbitrary application code
 * (including class loaders) and is defined by the bootstrap class loader.
 */
public final class ArrayHooks {

    // Minimum lengths by element size: an array of at least this many elements is charged.
    // Integer.MAX_VALUE until installed (every real length takes the fast path). Fields of their own rather
    // than one holder object: a fast path reads one field, not a holder and then its field.
    private static volatile int minLength1 = Integer.MAX_VALUE;
    private static volatile int minLength2 = Integer.MAX_VALUE;
    private static volatile int minLength4 = Integer.MAX_VALUE;
    private static volatile int minLength8 = Integer.MAX_VALUE;
    private static volatile int minLengthRef = Integer.MAX_VALUE;
    private static volatile long minBytes = Long.MAX_VALUE;
    private static volatile int referenceBytes = ChargedAllocation.REFERENCE_BYTES;

    /** The reservation a check-then-bind site took and has not bound yet, per thread (slow path only). */
    private static final ThreadLocal<Reservation> PENDING = new ThreadLocal<Reservation>();

    /** {@code code} of the {@code checkMultiArray} methods for a reference leaf; else the leaf's byte size. */
    public static final int LEAF_REFERENCE = 0;

    private ArrayHooks() {
    }

    // ---------------------------------------------------------------------------------------------
    // Set-up

    /**
     * Sets {@code arrays.min}, read once at start-up; {@link Long#MAX_VALUE} turns every check into the
     * fast path (as before installation).
     */
    public static void install(long arraysMinBytes) {
        install(arraysMinBytes, ChargedAllocation.REFERENCE_BYTES);
    }

    /** As {@link #install(long)}, with the size of a reference (4 with compressed oops, else 8). */
    public static void install(long arraysMinBytes, int refBytes) {
        if (arraysMinBytes < 0) {
            throw new IllegalArgumentException("arrays.min must not be negative, was " + arraysMinBytes);
        }
        if (refBytes != 4 && refBytes != 8) {
            throw new IllegalArgumentException("a reference is 4 or 8 bytes, not " + refBytes);
        }
        referenceBytes = refBytes;
        minBytes = arraysMinBytes;
        minLength1 = minLengthFor(arraysMinBytes, 1);
        minLength2 = minLengthFor(arraysMinBytes, 2);
        minLength4 = minLengthFor(arraysMinBytes, 4);
        minLength8 = minLengthFor(arraysMinBytes, 8);
        minLengthRef = minLengthFor(arraysMinBytes, refBytes);
    }

    /** {@code arrays.min} in force, {@link Long#MAX_VALUE} when not installed. */
    public static long minBytes() {
        return minBytes;
    }

    /** Bytes per reference the object arrays are charged with. */
    public static int referenceBytes() {
        return referenceBytes;
    }

    /** The smallest length of an array of {@code elementBytes}-byte elements charged from {@code bytes} up. */
    public static int minLengthFor(long bytes, int elementBytes) {
        if (bytes > Long.MAX_VALUE - elementBytes) {
            return Integer.MAX_VALUE;
        }
        long n = (bytes + elementBytes - 1) / elementBytes;
        return n >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /** Bytes per element of a {@code newarray} type code (4 to 11). */
    public static int typeBytes(int type) {
        return ChargedAllocation.primitiveBytes(type);
    }

    // ---------------------------------------------------------------------------------------------
    // newarray: the fast method is a compare, a branch and the allocation (inlined by C1 and C2); one per
    // type, as each replaces newarray T and must return T[]. The slow path is shared.

    public static boolean[] newBooleanArray(int length) {
        if (length < minLength1) {
            return new boolean[length];
        }
        return (boolean[]) chargedNew(ChargedAllocation.T_BOOLEAN, length);
    }

    public static byte[] newByteArray(int length) {
        if (length < minLength1) {
            return new byte[length];
        }
        return (byte[]) chargedNew(ChargedAllocation.T_BYTE, length);
    }

    public static char[] newCharArray(int length) {
        if (length < minLength2) {
            return new char[length];
        }
        return (char[]) chargedNew(ChargedAllocation.T_CHAR, length);
    }

    public static short[] newShortArray(int length) {
        if (length < minLength2) {
            return new short[length];
        }
        return (short[]) chargedNew(ChargedAllocation.T_SHORT, length);
    }

    public static int[] newIntArray(int length) {
        if (length < minLength4) {
            return new int[length];
        }
        return (int[]) chargedNew(ChargedAllocation.T_INT, length);
    }

    public static float[] newFloatArray(int length) {
        if (length < minLength4) {
            return new float[length];
        }
        return (float[]) chargedNew(ChargedAllocation.T_FLOAT, length);
    }

    public static long[] newLongArray(int length) {
        if (length < minLength8) {
            return new long[length];
        }
        return (long[]) chargedNew(ChargedAllocation.T_LONG, length);
    }

    public static double[] newDoubleArray(int length) {
        if (length < minLength8) {
            return new double[length];
        }
        return (double[]) chargedNew(ChargedAllocation.T_DOUBLE, length);
    }

    // ---------------------------------------------------------------------------------------------
    // anewarray

    /**
     * Before an {@code anewarray}, which stays in place: a reservation for {@link #bindPending}, or
     * {@code null} below {@code arrays.min} (the fast path: a compare and a branch here, a null check there).
     */
    public static Object checkObjectArray(int length) {
        if (length < minLengthRef) {
            return null;
        }
        return pending(0, (long) length * referenceBytes);
    }

    // ---------------------------------------------------------------------------------------------
    // multianewarray

    /**
     * Before a {@code multianewarray} of one dimension. {@code code} is the array's rank times 256 plus the
     * byte size of its leaf element type ({@link #LEAF_REFERENCE} for a reference type).
     */
    public static Object checkMultiArray(int d1, int code) {
        return checkMulti(1, d1, 0, 0, code);
    }

    /** Before a {@code multianewarray} of two dimensions; see {@link #checkMultiArray(int, int)}. */
    public static Object checkMultiArray(int d1, int d2, int code) {
        return checkMulti(2, d1, d2, 0, code);
    }

    /**
     * Before a {@code multianewarray} of three dimensions or more: the first three are counted (the
     * arrays of deeper dimensions are not).
     */
    public static Object checkMultiArray(int d1, int d2, int d3, int code) {
        return checkMulti(3, d1, d2, d3, code);
    }

    private static Object checkMulti(int dims, int d1, int d2, int d3, int code) {
        if ((d1 | d2 | d3) < 0) {
            return null; // the JVM throws NegativeArraySizeException
        }
        long bytes = multiBytes(dims, code >>> 8, code & 0xFF, referenceBytes, d1, d2, d3, null);
        if (bytes < minBytes) {
            return null;
        }
        return pending(0, bytes);
    }

    /**
     * Bytes of all the arrays a multi-dimensional allocation creates over its first {@code levels}
     * dimensions, of lengths {@code lengths} or, where that is {@code null}, {@code d1, d2, d3} (so that the
     * check before a {@code multianewarray} allocates nothing): at each level, the number of arrays times
     * their length times the element size, {@code leafBytes} at level {@code rank} (the array type's last
     * dimension) unless it is {@link #LEAF_REFERENCE}, else {@code refBytes}. Saturates at {@link Long#MAX_VALUE}.
     */
    private static long multiBytes(int levels, int rank, int leafBytes, int refBytes, int d1, int d2, int d3,
                                   int[] lengths) {
        long arrays = 1;
        long total = 0;
        for (int level = 1; level <= levels; level++) {
            int length = lengths != null ? lengths[level - 1] : level == 1 ? d1 : level == 2 ? d2 : d3;
            long elements = saturatingMultiply(arrays, length);
            int size = level < rank || leafBytes == LEAF_REFERENCE ? refBytes : leafBytes;
            total = saturatingAdd(total, saturatingMultiply(elements, size));
            arrays = elements;
            if (arrays == 0) {
                break;
            }
        }
        return total;
    }

    /** After a {@code check*} call and its allocation: ties the charge to the array. Accepts {@code null}. */
    public static void bindPending(Object reservation, Object array) {
        if (reservation != null) {
            settlePending((Reservation) reservation, array);
        }
    }

    private static void settlePending(Reservation r, Object array) {
        if (PENDING.get() == r) {
            PENDING.set(null);
        }
        r.bind(array);
    }

    /** A reservation held until {@link #bindPending}; first gives back one a thrown allocation left behind. */
    private static Object pending(long current, long bytes) {
        Reservation stale = PENDING.get();
        if (stale != null) {
            PENDING.set(null);
            stale.abandon();
        }
        Reservation r = Ledger.reserveOrNull(GrowthPoint.ARRAY, current, bytes);
        if (r != null) {
            PENDING.set(r);
        }
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // java.lang.reflect.Array.newInstance

    /** Replaces {@code Array.newInstance(Class, int)}. */
    public static Object newInstance(Class<?> componentType, int length) {
        if (length < minLength8) {
            return Array.newInstance(componentType, length);
        }
        long bytes = (long) length * elementBytes(componentType);
        if (bytes < minBytes || bytes == 0) {
            return Array.newInstance(componentType, length);
        }
        return ChargedAllocation.allocate(reserve(bytes), null, ChargedAllocation.REFLECTIVE, null, 0, length,
                componentType);
    }

    /** Replaces {@code Array.newInstance(Class, int...)}: all its dimensions are counted. */
    public static Object newInstance(Class<?> componentType, int... dimensions) {
        long bytes = dimensions == null || componentType == null ? 0 : newInstanceBytes(componentType, dimensions);
        if (bytes < minBytes || bytes == 0) {
            return Array.newInstance(componentType, dimensions);
        }
        return ChargedAllocation.allocate(reserve(bytes), null, ChargedAllocation.REFLECTIVE_DIMENSIONS, dimensions,
                0, 0, componentType);
    }

    private static long newInstanceBytes(Class<?> componentType, int[] dimensions) {
        int n = dimensions.length;
        int leaf = elementBytes(componentType);
        if (n == 0 || leaf == 0) {
            return 0; // Array.newInstance throws IllegalArgumentException
        }
        for (int i = 0; i < n; i++) {
            if (dimensions[i] < 0) {
                return 0; // NegativeArraySizeException
            }
        }
        return multiBytes(n, n, leaf, referenceBytes, 0, 0, 0, dimensions);
    }

    /** Bytes per element of an array of {@code type}; 0 for {@code void} (no such array). */
    static int elementBytes(Class<?> type) {
        if (!type.isPrimitive()) {
            return referenceBytes;
        }
        if (type == byte.class || type == boolean.class) {
            return 1;
        }
        if (type == char.class || type == short.class) {
            return 2;
        }
        if (type == int.class || type == float.class) {
            return 4;
        }
        if (type == long.class || type == double.class) {
            return 8;
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // java.util.Arrays.copyOf and copyOfRange: same names and descriptors, another owner, so one method per
    // overload the JDK has; the slow path is shared

    public static boolean[] copyOf(boolean[] original, int newLength) {
        if (newLength < minLength1) {
            return Arrays.copyOf(original, newLength);
        }
        return (boolean[]) charged(ChargedAllocation.T_BOOLEAN, original, original.length, 0, newLength, null);
    }

    public static byte[] copyOf(byte[] original, int newLength) {
        if (newLength < minLength1) {
            return Arrays.copyOf(original, newLength);
        }
        return (byte[]) charged(ChargedAllocation.T_BYTE, original, original.length, 0, newLength, null);
    }

    public static char[] copyOf(char[] original, int newLength) {
        if (newLength < minLength2) {
            return Arrays.copyOf(original, newLength);
        }
        return (char[]) charged(ChargedAllocation.T_CHAR, original, original.length, 0, newLength, null);
    }

    public static short[] copyOf(short[] original, int newLength) {
        if (newLength < minLength2) {
            return Arrays.copyOf(original, newLength);
        }
        return (short[]) charged(ChargedAllocation.T_SHORT, original, original.length, 0, newLength, null);
    }

    public static int[] copyOf(int[] original, int newLength) {
        if (newLength < minLength4) {
            return Arrays.copyOf(original, newLength);
        }
        return (int[]) charged(ChargedAllocation.T_INT, original, original.length, 0, newLength, null);
    }

    public static float[] copyOf(float[] original, int newLength) {
        if (newLength < minLength4) {
            return Arrays.copyOf(original, newLength);
        }
        return (float[]) charged(ChargedAllocation.T_FLOAT, original, original.length, 0, newLength, null);
    }

    public static long[] copyOf(long[] original, int newLength) {
        if (newLength < minLength8) {
            return Arrays.copyOf(original, newLength);
        }
        return (long[]) charged(ChargedAllocation.T_LONG, original, original.length, 0, newLength, null);
    }

    public static double[] copyOf(double[] original, int newLength) {
        if (newLength < minLength8) {
            return Arrays.copyOf(original, newLength);
        }
        return (double[]) charged(ChargedAllocation.T_DOUBLE, original, original.length, 0, newLength, null);
    }

    public static Object[] copyOf(Object[] original, int newLength) {
        if (newLength < minLengthRef) {
            return Arrays.copyOf(original, newLength);
        }
        return (Object[]) charged(ChargedAllocation.REFERENCES, original, original.length, 0, newLength, null);
    }

    public static Object[] copyOf(Object[] original, int newLength, Class<?> newType) {
        if (newLength < minLengthRef) {
            return Arrays.copyOf(original, newLength, asArrayClass(newType));
        }
        return (Object[]) charged(ChargedAllocation.TYPED_REFERENCES, original, original.length, 0, newLength, newType);
    }

    public static boolean[] copyOfRange(boolean[] original, int from, int to) {
        if (to - from < minLength1) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (boolean[]) charged(ChargedAllocation.T_BOOLEAN, original, original.length, from, to, null);
    }

    public static byte[] copyOfRange(byte[] original, int from, int to) {
        if (to - from < minLength1) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (byte[]) charged(ChargedAllocation.T_BYTE, original, original.length, from, to, null);
    }

    public static char[] copyOfRange(char[] original, int from, int to) {
        if (to - from < minLength2) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (char[]) charged(ChargedAllocation.T_CHAR, original, original.length, from, to, null);
    }

    public static short[] copyOfRange(short[] original, int from, int to) {
        if (to - from < minLength2) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (short[]) charged(ChargedAllocation.T_SHORT, original, original.length, from, to, null);
    }

    public static int[] copyOfRange(int[] original, int from, int to) {
        if (to - from < minLength4) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (int[]) charged(ChargedAllocation.T_INT, original, original.length, from, to, null);
    }

    public static float[] copyOfRange(float[] original, int from, int to) {
        if (to - from < minLength4) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (float[]) charged(ChargedAllocation.T_FLOAT, original, original.length, from, to, null);
    }

    public static long[] copyOfRange(long[] original, int from, int to) {
        if (to - from < minLength8) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (long[]) charged(ChargedAllocation.T_LONG, original, original.length, from, to, null);
    }

    public static double[] copyOfRange(double[] original, int from, int to) {
        if (to - from < minLength8) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (double[]) charged(ChargedAllocation.T_DOUBLE, original, original.length, from, to, null);
    }

    public static Object[] copyOfRange(Object[] original, int from, int to) {
        if (to - from < minLengthRef) {
            return Arrays.copyOfRange(original, from, to);
        }
        return (Object[]) charged(ChargedAllocation.REFERENCES, original, original.length, from, to, null);
    }

    public static Object[] copyOfRange(Object[] original, int from, int to, Class<?> newType) {
        if (to - from < minLengthRef) {
            return Arrays.copyOfRange(original, from, to, asArrayClass(newType));
        }
        return (Object[]) charged(ChargedAllocation.TYPED_REFERENCES, original, original.length, from, to, newType);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Object[]> asArrayClass(Class<?> type) {
        return (Class<? extends Object[]>) type;
    }

    // ---------------------------------------------------------------------------------------------
    // The slow path

    /**
     * The array {@code Arrays.copyOfRange(original, from, to)} makes (a new one of {@code to} elements
     * when {@code original} is {@code null}), {@code original} holding {@code originalLength} elements,
     * charged first.
     */
    private static Object charged(int kind, Object original, int originalLength, int from, int to, Class<?> newType) {
        long size = kind >= ChargedAllocation.REFERENCES ? referenceBytes : ChargedAllocation.primitiveBytes(kind);
        Reservation r = Ledger.reserveOrNull(GrowthPoint.ARRAY, originalLength * size, (long) (to - from) * size);
        return ChargedAllocation.allocate(r, null, kind, original, from, to, newType);
    }

    private static Object chargedNew(int kind, int length) {
        return charged(kind, null, 0, 0, length, null);
    }

    /** Asks the ledger; throws {@code QuotaExceededException} in enforce mode; null when nothing was charged. */
    private static Reservation reserve(long requestedBytes) {
        return Ledger.reserveOrNull(GrowthPoint.ARRAY, 0, requestedBytes);
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
            return lo;
        }
        return Long.MAX_VALUE;
    }

    private static long saturatingAdd(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }
}

package io.heapguard.arrays;

import io.heapguard.ledger.FastLimit;
import io.heapguard.QuotaExceededException;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.internal.ArrayHooks;
import io.heapguard.ledger.Ledger;
import io.heapguard.testing.FreshThread;
import io.heapguard.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.heapguard.testing.TestConfigs.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ArrayHooks}, called as rewritten code calls it: the arrays are the ones the JDK would make, the
 * fast path charges nothing, the slow path charges exactly {@code length × element size} to the growth
 * point {@code array}, and a refusal comes before the allocation, with the caller as its call site.
 */
class ArrayHooksTest {
    private static final int KIB = 1 << 10;
    private static final int MIB = 1 << 20;

    /** Each test on a thread of its own: what it charges must not stay on the thread others run on. */
    @RegisterExtension
    static final FreshThread FRESH_THREAD = new FreshThread("array-guard-test");

    /** What granted allocations paid for, kept reachable so their charges stay. */
    private final List<Object> held = new ArrayList<>();

    @AfterEach
    void uninstall() {
        held.clear();
        ArrayHooks.install(Long.MAX_VALUE);
        try {
            Field f = Ledger.class.getDeclaredField("current");
            f.setAccessible(true);
            f.set(null, null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        FastLimit.publish(Long.MAX_VALUE);
    }

    /** The smallest charged length {@link ArrayHooks#install} set for elements of this size. */
    private static int minLength(int elementBytes) {
        try {
            Field f = ArrayHooks.class.getDeclaredField("minLength" + elementBytes);
            f.setAccessible(true);
            return f.getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Ledger install(HeapGuardConfig config, long arraysMin) {
        Ledger ledger = Ledger.install(config, TestConfigs.NO_COLLECTION);
        ArrayHooks.install(arraysMin, 4);
        return ledger;
    }

    // ---------------------------------------------------------------------------------------------
    // Thresholds

    @Test
    void minimumLengthsAreArraysMinDividedByTheElementSizeRoundedUp() {
        ArrayHooks.install(MIB, 4);
        assertEquals(MIB, minLength(1));
        assertEquals(MIB / 2, minLength(2));
        assertEquals(MIB / 4, minLength(4));
        assertEquals(MIB / 8, minLength(8));
        assertEquals(MIB, ArrayHooks.minBytes());
        assertEquals(4, ArrayHooks.referenceBytes());

        ArrayHooks.install(1001, 8);
        assertEquals(1001, minLength(1));
        assertEquals(501, minLength(2));
        assertEquals(251, minLength(4));
        assertEquals(126, minLength(8));

        ArrayHooks.install(Long.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, minLength(1));
        assertEquals(Integer.MAX_VALUE, minLength(8));
        ArrayHooks.install(8L << 30, 4); // 8 GiB: no byte[] can be that large, a long[] can
        assertEquals(Integer.MAX_VALUE, minLength(1));
        assertEquals(1 << 30, minLength(8));

        assertThrows(IllegalArgumentException.class, () -> ArrayHooks.install(-1));
        assertThrows(IllegalArgumentException.class, () -> ArrayHooks.install(MIB, 6));
    }

    // ---------------------------------------------------------------------------------------------
    // The arrays are the JDK's, on both paths

    @Test
    void everyHookMakesTheArrayTheJdkWouldBelowAndAboveTheThreshold() {
        install(config().build(), KIB); // no quotas: everything is granted
        for (int n : new int[] {0, 1, 7, KIB - 1, KIB, 3 * KIB}) {
            assertEquals(n, ArrayHooks.newBooleanArray(n).length);
            assertEquals(n, ArrayHooks.newByteArray(n).length);
            assertEquals(n, ArrayHooks.newCharArray(n).length);
            assertEquals(n, ArrayHooks.newShortArray(n).length);
            assertEquals(n, ArrayHooks.newIntArray(n).length);
            assertEquals(n, ArrayHooks.newFloatArray(n).length);
            assertEquals(n, ArrayHooks.newLongArray(n).length);
            assertEquals(n, ArrayHooks.newDoubleArray(n).length);
            Object r = ArrayHooks.checkObjectArray(n);
            String[] s = new String[n];
            ArrayHooks.bindPending(r, s);

            assertEquals(String[].class, ArrayHooks.newInstance(String.class, n).getClass());
            assertEquals(n, Array.getLength(ArrayHooks.newInstance(long.class, n)));
            int[][] m = (int[][]) ArrayHooks.newInstance(int.class, 3, n);
            assertEquals(3, m.length);
            assertEquals(n, m[2].length);

            byte[] bytes = pattern(n);
            assertArrayEquals(Arrays.copyOf(bytes, n + 5), ArrayHooks.copyOf(bytes, n + 5));
            assertArrayEquals(Arrays.copyOf(bytes, n / 2), ArrayHooks.copyOf(bytes, n / 2));
            assertArrayEquals(Arrays.copyOfRange(bytes, n / 3, n + 9), ArrayHooks.copyOfRange(bytes, n / 3, n + 9));
            char[] chars = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).toCharArray();
            assertArrayEquals(Arrays.copyOf(chars, 2 * n), ArrayHooks.copyOf(chars, 2 * n));
            assertArrayEquals(Arrays.copyOfRange(chars, 0, n), ArrayHooks.copyOfRange(chars, 0, n));
            int[] ints = new int[n];
            Arrays.setAll(ints, i -> i * 31);
            assertArrayEquals(Arrays.copyOf(ints, n + 1), ArrayHooks.copyOf(ints, n + 1));
            assertArrayEquals(Arrays.copyOfRange(ints, n / 2, n), ArrayHooks.copyOfRange(ints, n / 2, n));
            long[] longs = new long[n];
            Arrays.setAll(longs, i -> -i);
            assertArrayEquals(Arrays.copyOf(longs, n + 2), ArrayHooks.copyOf(longs, n + 2));
            assertArrayEquals(Arrays.copyOfRange(longs, 0, n), ArrayHooks.copyOfRange(longs, 0, n));
            assertArrayEquals(Arrays.copyOf(new double[n], n), ArrayHooks.copyOf(new double[n], n));
            assertArrayEquals(Arrays.copyOf(new float[n], n), ArrayHooks.copyOf(new float[n], n));
            assertArrayEquals(Arrays.copyOf(new short[n], n), ArrayHooks.copyOf(new short[n], n));
            assertArrayEquals(Arrays.copyOf(new boolean[n], n), ArrayHooks.copyOf(new boolean[n], n));
            assertArrayEquals(Arrays.copyOfRange(new double[n], 0, n), ArrayHooks.copyOfRange(new double[n], 0, n));
            assertArrayEquals(Arrays.copyOfRange(new float[n], 0, n), ArrayHooks.copyOfRange(new float[n], 0, n));
            assertArrayEquals(Arrays.copyOfRange(new short[n], 0, n), ArrayHooks.copyOfRange(new short[n], 0, n));
            assertArrayEquals(Arrays.copyOfRange(new boolean[n], 0, n), ArrayHooks.copyOfRange(new boolean[n], 0, n));

            String[] strings = new String[n];
            Arrays.setAll(strings, Integer::toString);
            Object[] copy = ArrayHooks.copyOf(strings, n + 1);
            assertEquals(String[].class, copy.getClass(), "the copy keeps the array's class, as Arrays.copyOf does");
            assertArrayEquals(Arrays.copyOf(strings, n + 1), copy);
            Object[] typed = ArrayHooks.copyOf(strings, n, Object[].class);
            assertEquals(Object[].class, typed.getClass());
            assertArrayEquals(strings, typed);
            Object[] range = ArrayHooks.copyOfRange(strings, n / 2, n + 3);
            assertEquals(String[].class, range.getClass());
            assertArrayEquals(Arrays.copyOfRange(strings, n / 2, n + 3), range);
            Object[] typedRange = ArrayHooks.copyOfRange(strings, 0, n, CharSequence[].class);
            assertEquals(CharSequence[].class, typedRange.getClass());
        }
    }

    @Test
    void errorsAreTheJdksOnBothPaths() {
        for (long min : new long[] {Long.MAX_VALUE, 0}) { // fast path; every length on the slow path
            ArrayHooks.install(min, 4);
            assertThrows(NegativeArraySizeException.class, () -> ArrayHooks.newByteArray(-1));
            assertThrows(NegativeArraySizeException.class, () -> ArrayHooks.newLongArray(Integer.MIN_VALUE));
            assertThrows(NegativeArraySizeException.class, () -> ArrayHooks.newInstance(String.class, -3));
            assertThrows(NegativeArraySizeException.class, () -> ArrayHooks.newInstance(int.class, 2, -3));
            assertThrows(IllegalArgumentException.class, () -> ArrayHooks.newInstance(void.class, 4));
            assertThrows(IllegalArgumentException.class, () -> ArrayHooks.newInstance(int.class, new int[0]));
            assertThrows(NullPointerException.class, () -> ArrayHooks.newInstance(null, 4));
            assertThrows(NullPointerException.class, () -> ArrayHooks.newInstance(int.class, (int[]) null));
            assertThrows(NegativeArraySizeException.class, () -> ArrayHooks.copyOf(new byte[3], -1));
            assertThrows(NullPointerException.class, () -> ArrayHooks.copyOf((byte[]) null, 4));
            assertThrows(NullPointerException.class, () -> ArrayHooks.copyOf((Object[]) null, 4));
            assertThrows(IllegalArgumentException.class, () -> ArrayHooks.copyOfRange(new int[3], 2, 1));
            assertThrows(ArrayIndexOutOfBoundsException.class, () -> ArrayHooks.copyOfRange(new int[3], 4, 5));
            assertThrows(ArrayStoreException.class,
                    () -> ArrayHooks.copyOf(new Object[] {1}, 1, String[].class));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Charging

    @Test
    void belowArraysMinNothingIsChargedAboveItLengthTimesElementSize() {
        Ledger ledger = install(config().build(), 64 * KIB);
        held.add(ArrayHooks.newByteArray(64 * KIB - 1));
        held.add(ArrayHooks.newLongArray(8 * KIB - 1));
        held.add(ArrayHooks.copyOf(new int[1], 16 * KIB - 1));
        assertEquals(0, ledger.global().used(), "the fast path charges nothing");

        long expected = 0;
        held.add(ArrayHooks.newByteArray(64 * KIB));
        expected += 64 * KIB;
        held.add(ArrayHooks.newCharArray(32 * KIB));
        expected += 64 * KIB;
        held.add(ArrayHooks.newIntArray(20_000));
        expected += 80_000;
        held.add(ArrayHooks.newDoubleArray(10_000));
        expected += 80_000;
        held.add(ArrayHooks.copyOf(new short[1], 40_000));
        expected += 80_000;
        held.add(ArrayHooks.copyOfRange(new Object[100], 0, 20_000));
        expected += 80_000; // 4-byte references
        held.add(ArrayHooks.newInstance(Object.class, 16 * KIB));
        expected += 64 * KIB;
        held.add(ArrayHooks.newInstance(byte.class, 2, 40_000)); // 2 references + 2 x 40000 bytes
        expected += 8 + 80_000;
        Object r = ArrayHooks.checkObjectArray(30_000);
        Object[] objects = new Object[30_000];
        ArrayHooks.bindPending(r, objects);
        held.add(objects);
        expected += 120_000;
        Object m = ArrayHooks.checkMultiArray(100, 1000, 2 * 256 + 8); // long[100][1000]
        long[][] matrix = new long[100][1000];
        ArrayHooks.bindPending(m, matrix);
        held.add(matrix);
        expected += 100 * 4 + 100 * 1000 * 8;
        assertEquals(expected, ledger.global().used());
    }

    @Test
    void multiDimensionalTotalsCountEveryLevel() {
        ArrayHooks.install(MIB, 4);
        // int[1000][1000]: 1000 references, then 1000 arrays of 1000 ints
        assertMulti(1000 * 4 + 1000 * 1000 * 4L, new int[] {1000, 1000}, 2, 4);
        // byte[10][20][30] counted fully
        assertMulti(10 * 4 + 10 * 20 * 4 + 10 * 20 * 30L, new int[] {10, 20, 30}, 3, 1);
        // new Object[10][20][]: two dimensions given, the second level holds references
        assertMulti(10 * 4 + 10 * 20 * 4, new int[] {10, 20}, 3, ArrayHooks.LEAF_REFERENCE);
        // a zero dimension creates nothing below it
        assertMulti(0, new int[] {0, 1000}, 2, 8);
        assertMulti(7 * 4, new int[] {7, 0, 1000}, 3, 8);
        // saturates rather than overflows
        assertMulti(Long.MAX_VALUE, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, 4, 8);
    }

    /** The same total from the lengths as a {@code multianewarray} check passes them and as an array. */
    private static void assertMulti(long expected, int[] dims, int rank, int leaf) {
        long got;
        long gotFromArray;
        try {
            java.lang.reflect.Method m = ArrayHooks.class.getDeclaredMethod("multiBytes", int.class, int.class,
                    int.class, int.class, int.class, int.class, int.class, int[].class);
            m.setAccessible(true);
            got = (Long) m.invoke(null, dims.length, rank, leaf, 4, dims[0], dims.length > 1 ? dims[1] : 0,
                    dims.length > 2 ? dims[2] : 0, null);
            gotFromArray = (Long) m.invoke(null, dims.length, rank, leaf, 4, 0, 0, 0, dims);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        assertEquals(expected, got, Arrays.toString(dims));
        assertEquals(expected, gotFromArray, Arrays.toString(dims) + " as an array");
    }

    @Test
    void aRefusalComesBeforeTheAllocationAtTheCallersFrame() {
        Ledger ledger = install(config().rule("cap", "array", "", MIB, -1).build(), 64 * KIB);
        // 16 GiB of longs: an attempted allocation would be an OutOfMemoryError, not a refusal
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ArrayHooks.newLongArray(Integer.MAX_VALUE - 8));
        assertEquals("cap", e.rule());
        assertEquals("array", e.target());
        assertEquals((Integer.MAX_VALUE - 8) * 8L, e.requestedBytes());
        assertEquals(MIB, e.limitBytes());
        assertTrue(e.perBuffer());
        assertNotNull(e.callSite());
        assertEquals(ArrayHooksTest.class.getName(), e.callSite().getClassName(),
                "the call site is the caller's frame, not heapguard's: " + e.callSite());
        assertEquals(ArrayHooksTest.class.getName(), e.getStackTrace()[0].getClassName(),
                "heapguard's frames are trimmed from the trace");
        assertTrue(e.getMessage().contains("for array at " + ArrayHooksTest.class.getName()), e.getMessage());

        byte[] exact = ArrayHooks.newByteArray(MIB);
        assertEquals(MIB, exact.length, "exactly max-buffer is granted");
        assertThrows(QuotaExceededException.class, () -> ArrayHooks.newByteArray(MIB + 1));
        assertThrows(QuotaExceededException.class, () -> ArrayHooks.newInstance(String.class, MIB));
        assertThrows(QuotaExceededException.class, () -> ArrayHooks.newInstance(byte.class, 2, MIB));
        assertThrows(QuotaExceededException.class, () -> ArrayHooks.checkObjectArray(MIB / 2));
        assertThrows(QuotaExceededException.class, () -> ArrayHooks.checkMultiArray(2, MIB, 2 * 256 + 1));
        QuotaExceededException grow = assertThrows(QuotaExceededException.class,
                () -> ArrayHooks.copyOf(new byte[900 * KIB], 2 * MIB));
        assertEquals(900 * KIB, grow.usedBytes(), "a copy's current size is the original's");
        assertThrows(QuotaExceededException.class, () -> ArrayHooks.copyOfRange(new double[4], 0, MIB));
        assertEquals(MIB, ledger.control().ruleAccount("cap").used(), "only the granted array is charged");
        held.add(exact);
    }

    @Test
    void otherTargetsRulesDoNotCoverArrays() {
        Ledger ledger = install(config().rule("baos", "ByteArrayOutputStream", "", KIB, -1).build(), KIB);
        held.add(ArrayHooks.newByteArray(MIB));
        assertEquals(MIB, ledger.global().used());
    }

    @Test
    void monitorModeCountsButNeverRefuses() {
        Ledger ledger = install(config().mode(Mode.MONITOR).rule("cap", "array", "", KIB, -1).build(), KIB);
        held.add(ArrayHooks.newByteArray(MIB));
        assertEquals(1, ledger.denials());
    }

    @Test
    void anAllocationThatThrowsGivesItsChargeBack() {
        Ledger ledger = install(config().build(), KIB);
        // Granted (no quota), then the JVM refuses: "Requested array size exceeds VM limit"
        assertThrows(OutOfMemoryError.class, () -> ArrayHooks.newByteArray(Integer.MAX_VALUE));
        assertThrows(OutOfMemoryError.class, () -> ArrayHooks.copyOf(new byte[1], Integer.MAX_VALUE));
        assertThrows(OutOfMemoryError.class, () -> ArrayHooks.newInstance(byte.class, Integer.MAX_VALUE));
        assertEquals(0, ledger.global().used());
    }

    @Test
    void aCheckWhoseAllocationThrewIsGivenBackByTheThreadsNextCheck() {
        Ledger ledger = install(config().build(), KIB);
        Object stale = ArrayHooks.checkObjectArray(MIB); // its anewarray "threw": never bound
        assertNotNull(stale);
        assertEquals(4L * MIB, ledger.global().used());
        Object next = ArrayHooks.checkObjectArray(KIB);
        assertEquals(4L * KIB, ledger.global().used(), "the stale reservation was given back");
        Object[] a = new Object[KIB];
        ArrayHooks.bindPending(next, a);
        held.add(a);
        ArrayHooks.bindPending(stale, new Object[1]); // late bind of an abandoned reservation: no effect
        assertEquals(4L * KIB, ledger.global().used());
    }

    @Test
    void withoutALedgerEverythingIsGrantedAndNothingCharged() {
        ArrayHooks.install(KIB, 4);
        assertNull(Ledger.current());
        assertEquals(MIB, ArrayHooks.newByteArray(MIB).length);
        assertNull(ArrayHooks.checkObjectArray(MIB));
        assertSame(null, ArrayHooks.checkMultiArray(MIB, 2, 2 * 256 + 8));
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }
}

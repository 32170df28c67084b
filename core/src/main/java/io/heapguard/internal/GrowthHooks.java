package io.heapguard.internal;

import java.util.Arrays;

import io.heapguard.QuotaExceededException;
import io.heapguard.ledger.FastLimit;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Reservation;

/**
 * The only class instrumented JDK code calls. Every method is static and takes primitives, so a hook
 * is a handful of instructions: the fast path compares the requested size with one volatile field and
 * returns {@code null} without allocating, locking or walking the stack.
 *
 * <p>Contract with the instrumentation: call a {@code *Growth}/{@code allocate*}/{@code copy} method
 * before the allocation; if it returns non-null, call {@link #bind} with the object allocated once it
 * exists, or {@link #abandon} if the allocation throws. A refusal is thrown from the first call, before
 * anything is allocated.
 */
public final class GrowthHooks {

    private GrowthHooks() {
    }

    /** Generic entry: a growth of {@code point} from {@code currentBytes} to {@code requestedBytes}. */
    public static Object grow(int point, long currentBytes, long requestedBytes) {
        if (requestedBytes < FastLimit.bytes()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.ofOrdinal(point), currentBytes, requestedBytes);
    }

    /**
     * Entry of {@code ByteArrayOutputStream.ensureCapacity(int)}: mirrors
     * {@code ArraysSupport.newLength(old, min - old, old)} to know the size about to be allocated.
     */
    public static Object byteArrayOutputStreamGrowth(int currentCapacity, int minCapacity) {
        int minGrowth = minCapacity - currentCapacity;
        if (minGrowth <= 0) {
            return null; // no growth; also catches minCapacity overflowed negative (the JDK throws OOME)
        }
        long requested = (long) currentCapacity + Math.max(minGrowth, currentCapacity);
        if (requested > SOFT_MAX_ARRAY_LENGTH) {
            requested = Math.max(minCapacity, SOFT_MAX_ARRAY_LENGTH);
        }
        if (requested < FastLimit.bytes()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM, currentCapacity, requested);
    }

    /** Entry of a method that hands out a copy of {@code bytes} bytes, e.g. {@code toByteArray()}. */
    public static Object copy(int point, int bytes) {
        if (bytes < FastLimit.bytes()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.ofOrdinal(point), 0, bytes);
    }

    /** Entry of {@code ByteBuffer.allocate(int)}. */
    public static Object allocate(int capacity) {
        if (capacity < FastLimit.bytes()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, capacity);
    }

    /**
     * Entry of {@code ByteBuffer.allocateDirect(int)}. Netty's own calls (an arena's chunk, an unpooled direct
     * buffer's memory) are left to growth point {@code netty.ByteBuf}, which charges the buffers that use the
     * memory: the agent makes them through {@link NettyHooks#allocateDirect}, which marks the thread meanwhile.
     */
    public static Object allocateDirect(int capacity) {
        if (capacity < FastLimit.bytes() || NettyHooks.allocatingDirect()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 0, capacity);
    }

    /** After a granted growth: ties the charge to the object it paid for. Accepts {@code null} reservations. */
    public static void bind(Object reservation, Object allocated) {
        if (reservation != null) {
            ((Reservation) reservation).bind(allocated);
        }
    }

    /**
     * After a granted growth of a buffer held by {@code owner} (a stream, a builder, a collection): ties
     * the charge to the owner instead of to the new array. Prefer this wherever there is an owner: G1
     * cannot reclaim a dead humongous array eagerly while any reference object points at it.
     */
    public static void bindOwner(Object reservation, Object owner) {
        if (reservation != null) {
            ((Reservation) reservation).bindOwner(owner);
        }
    }

    /** After a granted growth whose allocation threw: gives the charge back. Accepts {@code null}. */
    public static void abandon(Object reservation) {
        if (reservation != null) {
            ((Reservation) reservation).abandon();
        }
    }

    /** {@code jdk.internal.util.ArraysSupport.SOFT_MAX_ARRAY_LENGTH}, the same on JDK 17 and 25. */
    private static final int SOFT_MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    // ---------------------------------------------------------------------------------------------
    // The JDK's other growth points (StringBuilder, CharArrayWriter, InputStream.readAllBytes,
    // Files.readAllBytes, ArrayList, ArrayDeque, HashMap); see io.heapguard.agent.hooks.JdkAdvices.
    //
    // A call-site replacement takes the replaced instruction's operands plus the growth point's ordinal
    // and does what the instruction did: below the fast limit that is all it does (a compare, a branch,
    // the original call, inlined by the JIT); above it, reserve, allocate, bind, or abandon if the
    // allocation throws. A refusal is thrown before anything is allocated.

    /**
     * Bytes of a reference in an {@code Object[]}: 4 with compressed oops, else 8. HotSpot sets
     * {@code java.vm.compressedOopsMode} exactly when references are compressed; it is absent with
     * {@code -XX:-UseCompressedOops}, ZGC or a heap too large for compressed oops. A system property read
     * once here costs nothing at start-up (the platform MBeans would load JMX).
     */
    private static final int REFERENCE_BYTES = compressedOops() ? 4 : 8;

    private static boolean compressedOops() {
        try {
            return System.getProperty("java.vm.compressedOopsMode") != null;
        } catch (SecurityException e) {
            return true;
        }
    }

    private static Reservation reserve(GrowthPoint point, long currentBytes, long requestedBytes) {
        return Ledger.reserveOrNull(point, currentBytes, requestedBytes);
    }

    /**
     * Entry of a method that hands out a copy of {@code bytes} bytes, as {@link #copy}, for the JDK's other
     * growth points ({@code StringBuilder.toString()}), which the ledger itself uses.
     */
    public static Object copyOut(int point, int bytes) {
        if (bytes < FastLimit.bytes()) {
            return null;
        }
        return reserve(GrowthPoint.ofOrdinal(point), 0, bytes);
    }

    /** Bytes of a reference in an {@code Object[]} as this JVM lays them out (4 or 8). */
    public static int referenceBytes() {
        return REFERENCE_BYTES;
    }

    /**
     * Replaces {@code Arrays.copyOf(byte[], int)} where a byte buffer grows (StringBuilder, the read-all
     * methods). {@code owner}: the object holding the buffer, to tie the charge to (see {@link #bindOwner}),
     * or {@code null} to tie it to the new array (a static helper, or an array handed out).
     */
    public static byte[] copyOfBytes(byte[] original, int newLength, Object owner, int point) {
        if (newLength < FastLimit.bytes()) {
            return Arrays.copyOf(original, newLength);
        }
        return copyOfBytesSlow(original, newLength, owner, point);
    }

    private static byte[] copyOfBytesSlow(byte[] original, int newLength, Object owner, int point) {
        Reservation r = reserve(GrowthPoint.ofOrdinal(point), original.length, newLength);
        if (r == null) {
            return Arrays.copyOf(original, newLength);
        }
        byte[] copy;
        try {
            copy = Arrays.copyOf(original, newLength);
        } catch (Throwable t) {
            r.abandon();
            throw t;
        }
        settle(r, owner, copy);
        return copy;
    }

    /** Ties a granted growth's charge to {@code owner}, or to the new array when there is none. */
    private static void settle(Reservation r, Object owner, Object allocated) {
        if (owner != null) {
            r.bindOwner(owner);
        } else {
            r.bind(allocated);
        }
    }

    /**
     * Replaces {@code Arrays.copyOf(char[], int)} in {@code CharArrayWriter.write}: two bytes a char; the
     * charge is tied to {@code owner}, the writer.
     */
    public static char[] copyOfChars(char[] original, int newLength, Object owner, int point) {
        if ((long) newLength << 1 < FastLimit.bytes()) {
            return Arrays.copyOf(original, newLength);
        }
        return copyOfCharsSlow(original, newLength, owner, point);
    }

    private static char[] copyOfCharsSlow(char[] original, int newLength, Object owner, int point) {
        Reservation r = reserve(GrowthPoint.ofOrdinal(point), (long) original.length << 1,
                (long) newLength << 1);
        if (r == null) {
            return Arrays.copyOf(original, newLength);
        }
        char[] copy;
        try {
            copy = Arrays.copyOf(original, newLength);
        } catch (Throwable t) {
            r.abandon();
            throw t;
        }
        settle(r, owner, copy);
        return copy;
    }

    /**
     * Replaces {@code Arrays.copyOf(Object[], int)} in {@code ArrayList.grow} and {@code ArrayDeque.grow}:
     * charged as the new length times {@link #referenceBytes()}, to {@code owner}, the collection. The fast
     * path assumes 8-byte references, so it never skips a growth that should be checked.
     */
    public static Object[] copyOfRefs(Object[] original, int newLength, Object owner, int point) {
        if ((long) newLength << 3 < FastLimit.bytes()) {
            return Arrays.copyOf(original, newLength);
        }
        return copyOfRefsSlow(original, newLength, owner, point);
    }

    private static Object[] copyOfRefsSlow(Object[] original, int newLength, Object owner, int point) {
        Reservation r = reserveRefs(point, original.length, newLength);
        if (r == null) {
            return Arrays.copyOf(original, newLength);
        }
        Object[] copy;
        try {
            copy = Arrays.copyOf(original, newLength);
        } catch (Throwable t) {
            r.abandon();
            throw t;
        }
        settle(r, owner, copy);
        return copy;
    }

    /**
     * Replaces {@code anewarray java/lang/Object} where a collection creates the array it grows into
     * ({@code ArrayList.grow}); the charge is tied to {@code owner}, the collection.
     */
    public static Object[] newRefs(int length, Object owner, int point) {
        if ((long) length << 3 < FastLimit.bytes()) {
            return new Object[length];
        }
        return newRefsSlow(length, owner, point);
    }

    private static Object[] newRefsSlow(int length, Object owner, int point) {
        Reservation r = length < 0 ? null : reserveRefs(point, 0, length);
        if (r == null) {
            return new Object[length];
        }
        Object[] array;
        try {
            array = new Object[length];
        } catch (Throwable t) {
            r.abandon();
            throw t;
        }
        settle(r, owner, array);
        return array;
    }

    private static Reservation reserveRefs(int point, long currentLength, long newLength) {
        long bytes = newLength * REFERENCE_BYTES;
        if (bytes < FastLimit.bytes()) {
            return null;
        }
        return reserve(GrowthPoint.ofOrdinal(point), currentLength * REFERENCE_BYTES, bytes);
    }

    /**
     * Replaces {@code newarray byte} where the whole result is allocated at once: the sized reads of
     * {@code FileInputStream}, {@code Files.readAllBytes} and the final array of {@code InputStream.readNBytes}.
     */
    public static byte[] newBytes(int length, int point) {
        if (length < FastLimit.bytes()) {
            return new byte[length];
        }
        return newBytesSlow(length, point);
    }

    private static byte[] newBytesSlow(int length, int point) {
        Reservation r = reserve(GrowthPoint.ofOrdinal(point), 0, length);
        if (r == null) {
            return new byte[length];
        }
        byte[] array;
        try {
            array = new byte[length];
        } catch (Throwable t) {
            r.abandon();
            throw t;
        }
        r.bind(array);
        return array;
    }

    /**
     * Replaces {@code newarray byte} of a chunk in {@code InputStream.readNBytes(int)}, which reads into a
     * list of chunks (8 KiB on JDK 17, 16 KiB on 25) and copies them into one array at the end. Each chunk
     * is below {@code track.min}, so the chunks are charged as if they were one buffer that doubles:
     * {@code before} is what this call has allocated in chunks so far, and when the running total first
     * reaches the fast limit, and again each time it passes a power of two, the whole total so far is
     * reserved (so {@code max-buffer} sees the bytes read so far, and the heap reserve sees room for the
     * next doubling before it is read) and bound to that chunk, which lives as long as the others. What is
     * charged is at most twice what the chunks hold, as for a {@code ByteArrayOutputStream} whose old
     * arrays are not yet collected.
     */
    public static byte[] readChunk(int length, long before, int point) {
        long after = before + length;
        if (after < FastLimit.bytes()) {
            return new byte[length];
        }
        return readChunkSlow(length, before, after, point);
    }

    private static byte[] readChunkSlow(int length, long before, long after, int point) {
        if (before >= FastLimit.bytes() && Long.highestOneBit(before) == Long.highestOneBit(after)) {
            return new byte[length];
        }
        Reservation r = length < 0 ? null : reserve(GrowthPoint.ofOrdinal(point), before, after);
        if (r == null) {
            return new byte[length];
        }
        byte[] chunk;
        try {
            chunk = new byte[length];
        } catch (Throwable t) {
            r.abandon();
            throw t;
        }
        r.bind(chunk);
        return chunk;
    }

    /**
     * Entry of a StringBuilder's Latin-1 to UTF-16 inflation ({@code AbstractStringBuilder.inflate()} on
     * JDK 17, {@code inflateToUTF16(byte[], int)} on 25): a new array of twice {@code latin1Bytes}.
     * Nothing happens unless {@code coder} is Latin-1 (0).
     */
    public static Object stringBuilderInflate(int coder, int latin1Bytes) {
        if (coder != 0) {
            return null;
        }
        long requested = (long) latin1Bytes << 1;
        if (requested < FastLimit.bytes()) {
            return null;
        }
        return reserve(GrowthPoint.STRING_BUILDER, latin1Bytes, requested);
    }

    /**
     * Entry of JDK 25's {@code AbstractStringBuilder.ensureCapacityNewCoder(byte[] value, byte coder, int
     * count, int minCapacity, byte newCoder)}: mirrors it to know the array it is about to allocate, a
     * growth in the same coder or a UTF-16 array when the coder changes.
     */
    public static Object stringBuilderNewCoder(int valueLength, int coder, int minCapacity, int newCoder) {
        int oldCapacity = valueLength >> coder;
        boolean grows = minCapacity - oldCapacity > 0;
        if (coder == newCoder && !grows) {
            return null;
        }
        long chars = grows ? stringBuilderCapacity(valueLength, newCoder, minCapacity) : oldCapacity;
        if (chars < 0) {
            return null; // the JDK throws its OutOfMemoryError
        }
        long requested = chars << (coder == newCoder ? newCoder : 1);
        if (requested < FastLimit.bytes()) {
            return null;
        }
        return reserve(GrowthPoint.STRING_BUILDER, valueLength, requested);
    }

    /**
     * JDK 25's {@code AbstractStringBuilder.newCapacity(byte[] value, byte coder, int minCapacity)}, in
     * chars, or -1 where it throws.
     */
    static long stringBuilderCapacity(int oldLength, int coder, int minCapacity) {
        int newLength = minCapacity << coder;
        int length = newLength(oldLength, newLength - oldLength, oldLength + (2 << coder));
        if (length < 0 || length == Integer.MAX_VALUE) {
            return -1;
        }
        return length >> coder;
    }

    /** {@code jdk.internal.util.ArraysSupport.newLength}, or -1 where it throws. */
    static int newLength(int oldLength, int minGrowth, int prefGrowth) {
        int prefLength = oldLength + Math.max(minGrowth, prefGrowth);
        if (0 < prefLength && prefLength <= SOFT_MAX_ARRAY_LENGTH) {
            return prefLength;
        }
        int minLength = oldLength + minGrowth;
        if (minLength < 0) {
            return -1;
        }
        return Math.max(minLength, SOFT_MAX_ARRAY_LENGTH);
    }

    /**
     * Entry of a method that hands out a copy of {@code bytes} bytes unless it hands out {@code cache}
     * ({@code StringBuffer.toString()}, whose string is cached until the next change).
     */
    public static Object copyUnlessCached(int point, Object cache, int bytes) {
        if (cache != null || bytes < FastLimit.bytes()) {
            return null;
        }
        return reserve(GrowthPoint.ofOrdinal(point), 0, bytes);
    }

    /**
     * Entry of {@code HashMap.resize()}: mirrors it to know the table about to be allocated (twice the
     * old one, or the threshold or 16 for the first). Tables of 64 buckets or fewer are neither charged
     * nor refused: {@code treeifyBin} resizes one after inserting a node and before counting it, so a
     * refusal there would leave the map inconsistent (a put's own resize is undone by the rollback in
     * {@code putVal}, see {@code HashMapPutRollback}).
     */
    public static Object hashMapResize(Object[] table, int threshold) {
        int oldCapacity = table == null ? 0 : table.length;
        long newCapacity;
        if (oldCapacity > 0) {
            if (oldCapacity >= 1 << 30) {
                return null; // the table stays as it is
            }
            newCapacity = (long) oldCapacity << 1;
        } else {
            newCapacity = threshold > 0 ? threshold : 16;
        }
        if (newCapacity <= 64 || newCapacity << 3 < FastLimit.bytes()) {
            return null;
        }
        return reserveRefs(GrowthPoint.HASH_MAP.ordinal(), oldCapacity, newCapacity);
    }

    /** Whether {@code t} is a refusal: a rollback around a growth runs for refusals only. */
    public static boolean isRefusal(Throwable t) {
        return t instanceof QuotaExceededException;
    }
}

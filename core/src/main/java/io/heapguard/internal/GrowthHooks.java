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
 * returns without allocating, locking or walking the stack.
 *
 * <p>Two shapes of hook, both with the growth point's ordinal passed as a constant where one method
 * serves several points:
 * <ul>
 * <li>an entry call, at the start of the JDK method that grows: returns a reservation or {@code null};
 *     the instrumentation then calls {@link #bind} or {@link #bindOwner} with the object allocated once it
 *     exists, or {@link #abandon} if the method throws. A refusal is thrown from the entry call, before
 *     anything is allocated. An entry of its own per growth point only where it mirrors that JDK method's
 *     arithmetic to know the size it is about to allocate.</li>
 * <li>a call-site replacement, for an allocation inside a JDK method: takes the replaced instruction's
 *     operands and does what it did (below the fast limit that is all it does: a compare, a branch, the
 *     original allocation, inlined by the JIT); above, all of them end in {@link ChargedAllocation}. One
 *     method per array type, as the replaced instruction's result type must stay what it was.</li>
 * </ul>
 * See {@code io.heapguard.agent.hooks.Advices} and {@code JdkAdvices} for where each is woven.
 */
public final class GrowthHooks {

    /** {@code jdk.internal.util.ArraysSupport.SOFT_MAX_ARRAY_LENGTH}, the same on JDK 17 and 25. */
    private static final int SOFT_MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private GrowthHooks() {
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

    /**
     * Entry of a method that allocates {@code bytes} bytes outright, replacing nothing: {@code ByteBuffer.allocate},
     * and the copies a buffer hands out ({@code ByteArrayOutputStream.toByteArray()}, {@code toString()},
     * {@code StringBuilder.toString()}, {@code ByteArrayInputStream.readAllBytes()}).
     */
    public static Object allocate(int point, int bytes) {
        if (bytes < FastLimit.bytes()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.ofOrdinal(point), 0, bytes);
    }

    /**
     * As {@link #allocate(int, int)}, unless the method hands out {@code cache} instead
     * ({@code StringBuffer.toString()}, whose string is cached until the next change).
     */
    public static Object allocateUnlessCached(int point, Object cache, int bytes) {
        if (cache != null || bytes < FastLimit.bytes()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.ofOrdinal(point), 0, bytes);
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

    /** Bytes of a reference in an {@code Object[]} as this JVM lays them out (4 or 8). */
    public static int referenceBytes() {
        return ChargedAllocation.REFERENCE_BYTES;
    }

    // ---------------------------------------------------------------------------------------------
    // Call-site replacements. owner: the object holding the buffer, to tie the charge to (see bindOwner),
    // or null to tie it to the new array (a static helper, or an array handed out). A fast path counts the
    // bytes with a shift by the element size, 8 bytes a reference, so it never skips a growth that should
    // be checked; chargedArray counts them exactly.

    /** Replaces {@code Arrays.copyOf(byte[], int)} where a byte buffer grows (StringBuilder, the read-all methods). */
    public static byte[] copyOfBytes(byte[] original, int newLength, Object owner, int point) {
        if (newLength < FastLimit.bytes()) {
            return Arrays.copyOf(original, newLength);
        }
        return (byte[]) chargedArray(ChargedAllocation.T_BYTE, original, original.length, newLength, owner, point);
    }

    /** Replaces {@code Arrays.copyOf(char[], int)} in {@code CharArrayWriter.write}. */
    public static char[] copyOfChars(char[] original, int newLength, Object owner, int point) {
        if ((long) newLength << 1 < FastLimit.bytes()) {
            return Arrays.copyOf(original, newLength);
        }
        return (char[]) chargedArray(ChargedAllocation.T_CHAR, original, original.length, newLength, owner, point);
    }

    /** Replaces {@code Arrays.copyOf(Object[], int)} in {@code ArrayList.grow} and {@code ArrayDeque.grow}. */
    public static Object[] copyOfRefs(Object[] original, int newLength, Object owner, int point) {
        if ((long) newLength << 3 < FastLimit.bytes()) {
            return Arrays.copyOf(original, newLength);
        }
        return (Object[]) chargedArray(ChargedAllocation.REFERENCES, original, original.length, newLength, owner,
                point);
    }

    /**
     * Replaces {@code anewarray java/lang/Object} where a collection creates the array it grows into
     * ({@code ArrayList.grow}).
     */
    public static Object[] newRefs(int length, Object owner, int point) {
        if ((long) length << 3 < FastLimit.bytes()) {
            return new Object[length];
        }
        return (Object[]) chargedArray(ChargedAllocation.REFERENCES, null, 0, length, owner, point);
    }

    /**
     * Replaces {@code newarray byte} where the whole result is allocated at once: the sized reads of
     * {@code FileInputStream}, {@code Files.readAllBytes} and the final array of {@code InputStream.readNBytes}.
     */
    public static byte[] newBytes(int length, int point) {
        if (length < FastLimit.bytes()) {
            return new byte[length];
        }
        return (byte[]) chargedArray(ChargedAllocation.T_BYTE, null, 0, length, null, point);
    }

    /**
     * The slow path of the replacements above: reserves {@code length} elements of {@code kind} (the array
     * replaced held {@code currentLength}), then allocates as the JDK does (a copy of {@code original}, or a
     * new array when it is {@code null}).
     */
    private static Object chargedArray(int kind, Object original, int currentLength, int length, Object owner,
                                       int point) {
        long elementBytes = kind == ChargedAllocation.REFERENCES ? ChargedAllocation.REFERENCE_BYTES
                : ChargedAllocation.primitiveBytes(kind);
        long requested = length * elementBytes;
        Reservation r = length < 0 || requested < FastLimit.bytes() ? null
                : Ledger.reserveOrNull(GrowthPoint.ofOrdinal(point), currentLength * elementBytes, requested);
        return ChargedAllocation.allocate(r, owner, kind, original, 0, length, null);
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
        boolean doubled = before < FastLimit.bytes() || Long.highestOneBit(before) != Long.highestOneBit(after);
        Reservation r = !doubled || length < 0 ? null
                : Ledger.reserveOrNull(GrowthPoint.ofOrdinal(point), before, after);
        return (byte[]) ChargedAllocation.allocate(r, null, ChargedAllocation.T_BYTE, null, 0, length, null);
    }

    // ---------------------------------------------------------------------------------------------
    // Entries of their own: each mirrors its JDK method's arithmetic to know the size it is about to
    // allocate, which its arguments do not say outright.

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
        return Ledger.reserveOrNull(GrowthPoint.STRING_BUILDER, latin1Bytes, requested);
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
        return Ledger.reserveOrNull(GrowthPoint.STRING_BUILDER, valueLength, requested);
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
        long requested = newCapacity * ChargedAllocation.REFERENCE_BYTES;
        if (newCapacity <= 64 || requested < FastLimit.bytes()) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.HASH_MAP, (long) oldCapacity * ChargedAllocation.REFERENCE_BYTES,
                requested);
    }

    /** Whether {@code t} is a refusal: a rollback around a growth runs for refusals only. */
    public static boolean isRefusal(Throwable t) {
        return t instanceof QuotaExceededException;
    }
}

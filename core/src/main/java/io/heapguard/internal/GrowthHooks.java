package io.heapguard.internal;

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

    /**
     * Requests strictly below this many bytes are neither charged nor checked: the smaller of
     * {@code track.min} and the smallest {@code max-buffer} in force. {@link Long#MAX_VALUE} while no
     * ledger is installed or the mode is {@code off}.
     */
    private static volatile long fastLimit = Long.MAX_VALUE;

    private GrowthHooks() {
    }

    /** Set by the ledger whenever its policy changes. */
    public static void setFastLimit(long bytes) {
        fastLimit = bytes;
    }

    public static long fastLimit() {
        return fastLimit;
    }

    /** Generic entry: a growth of {@code point} from {@code currentBytes} to {@code requestedBytes}. */
    public static Object grow(int point, long currentBytes, long requestedBytes) {
        if (requestedBytes < fastLimit) {
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
        if (requested < fastLimit) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM, currentCapacity, requested);
    }

    /** Entry of a method that hands out a copy of {@code bytes} bytes, e.g. {@code toByteArray()}. */
    public static Object copy(int point, int bytes) {
        if (bytes < fastLimit) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.ofOrdinal(point), 0, bytes);
    }

    /** Entry of {@code ByteBuffer.allocate(int)}. */
    public static Object allocate(int capacity) {
        if (capacity < fastLimit) {
            return null;
        }
        return Ledger.reserveOrNull(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, capacity);
    }

    /** Entry of {@code ByteBuffer.allocateDirect(int)}. */
    public static Object allocateDirect(int capacity) {
        if (capacity < fastLimit) {
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

    /** After a granted growth whose allocation threw: gives the charge back. Accepts {@code null}. */
    public static void abandon(Object reservation) {
        if (reservation != null) {
            ((Reservation) reservation).abandon();
        }
    }

    /** {@code jdk.internal.util.ArraysSupport.SOFT_MAX_ARRAY_LENGTH}, the same on JDK 17 and 25. */
    private static final int SOFT_MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
}

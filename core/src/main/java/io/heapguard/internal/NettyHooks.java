package io.heapguard.internal;

import java.nio.ByteBuffer;

import io.heapguard.ledger.FastLimit;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Reservation;

/**
 * What Netty's buffers (growth point {@code netty.ByteBuf}) call, woven into Netty's classes as the application
 * loads them; see {@code io.heapguard.agent.netty.NettyHook}. The hooks take JDK types only, so one core serves
 * every Netty version and every shaded copy. A growth is charged to the buffer at the entry of the method that
 * grows it, before Netty takes the memory: the woven code is one call and the class keeps its own stack map
 * frames. Should Netty's own allocation then fail, the buffer keeps the larger charge until it is released.
 *
 * <p>Each hook's fast path is a compare against {@link FastLimit}, small enough to be inlined into Netty's
 * method; the rest is out of line.
 */
public final class NettyHooks {

    private NettyHooks() {
    }

    /**
     * Entry of a Netty buffer's {@code capacity(int)}, through which {@code ensureWritable} grows it.
     *
     * @param oldIsGarbage the memory a growth replaces is left to the collector (an unpooled heap buffer's
     *                     array), so the previous charge stays until a collection; otherwise the buffer
     *                     frees or pools it itself, and the growth is checked as the new capacity alone
     *                     (see {@code Ledger.reserveReplacing})
     */
    public static void nettyCapacity(Object buf, int currentCapacity, int newCapacity, int maxCapacity,
                                     boolean direct, boolean oldIsGarbage) {
        if (newCapacity < FastLimit.bytes()) {
            if (newCapacity < currentCapacity && currentCapacity >= FastLimit.releaseBytes()) {
                Ledger.releaseOwner(buf); // a shrink, which nothing but an explicit capacity(int) does
            }
            return;
        }
        nettyCapacitySlow(buf, currentCapacity, newCapacity, maxCapacity, direct, oldIsGarbage);
    }

    private static void nettyCapacitySlow(Object buf, int currentCapacity, int newCapacity, int maxCapacity,
                                          boolean direct, boolean oldIsGarbage) {
        if (newCapacity <= currentCapacity) {
            if (newCapacity < currentCapacity) {
                Ledger.releaseOwner(buf);
            }
            return;
        }
        if (newCapacity > maxCapacity) {
            return; // Netty refuses it itself (IllegalArgumentException)
        }
        if (oldIsGarbage) {
            Reservation r = Ledger.reserveOrNull(GrowthPoint.NETTY_BYTE_BUF, !direct, currentCapacity, newCapacity);
            if (r != null) {
                r.bindOwner(buf);
            }
        } else {
            Ledger.reserveReplacing(GrowthPoint.NETTY_BYTE_BUF, !direct, buf, currentCapacity, newCapacity);
        }
    }

    /**
     * Entry of {@code CompositeByteBuf.addComponent0(boolean, int, ByteBuf)}, through which components are
     * added one at a time: the composite grows by {@code addedBytes}, the component's readable bytes. A
     * refusal here is followed, in the woven code, by the release of the component, as Netty does when an
     * add fails.
     */
    public static void nettyAddComponent(Object composite, int currentCapacity, int addedBytes, boolean direct) {
        long requested = (long) currentCapacity + addedBytes;
        if (requested < FastLimit.bytes()) {
            return;
        }
        nettyAddComponentSlow(composite, currentCapacity, requested, direct);
    }

    private static void nettyAddComponentSlow(Object composite, int currentCapacity, long requested,
                                              boolean direct) {
        if (requested <= currentCapacity) {
            return;
        }
        Ledger.reserveReplacing(GrowthPoint.NETTY_BYTE_BUF, !direct, composite, currentCapacity, requested);
    }

    /**
     * Entry of a Netty buffer's {@code deallocate()}, run once when its reference count reaches zero: the
     * memory goes back to its pool or is freed, so its charge is credited now rather than when the buffer
     * object is collected (a pooled buffer object is recycled, never collected).
     */
    public static void nettyRelease(Object buf, int capacity) {
        if (capacity >= FastLimit.releaseBytes()) {
            Ledger.releaseOwner(buf);
        }
    }

    /**
     * Replaces {@code ByteBuffer.allocateDirect(int)} in Netty's classes (an arena's chunk, an unpooled direct
     * buffer's memory): that memory is charged as the buffers that use it grow, at growth point
     * {@code netty.ByteBuf}, so the {@code ByteBuffer.allocateDirect} hook is told to leave it alone. The mark is
     * set whatever the size, so a fast limit changed meanwhile cannot make the hook charge it; a thread-local
     * look-up is small beside what a direct allocation costs (a cleaner, the JDK's direct memory accounting).
     */
    public static ByteBuffer allocateDirect(int capacity) {
        boolean[] allocating = ALLOCATING_DIRECT.get();
        allocating[0] = true;
        try {
            return ByteBuffer.allocateDirect(capacity);
        } finally {
            allocating[0] = false;
        }
    }

    /**
     * Whether this thread is in Netty's {@code ByteBuffer.allocateDirect} (see {@link #allocateDirect}); asked by
     * the {@code ByteBuffer.allocateDirect} hook past its fast path only.
     */
    public static boolean allocatingDirect() {
        return ALLOCATING_DIRECT.get()[0];
    }

    private static final ThreadLocal<boolean[]> ALLOCATING_DIRECT = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };
}

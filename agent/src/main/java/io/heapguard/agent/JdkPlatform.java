package io.heapguard.agent;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.heapguard.ledger.Platform;

/**
 * {@link Platform} on a JDK: reference processing through {@code JdkInternals} where the agent could
 * reach it, and the collector's own figure for the live heap.
 */
final class JdkPlatform implements Platform {

    private final Callable<Boolean> waitForReferenceProcessing;
    /** Heap pools, looked up on the first refusal decision: java.management costs start-up time. */
    private volatile List<MemoryPoolMXBean> heapPools;

    /**
     * @param waitForReferenceProcessing {@code JdkInternals}, seen through a JDK interface, or null
     *                                   when the JDK's internals could not be reached
     */
    JdkPlatform(Callable<Boolean> waitForReferenceProcessing) {
        this.waitForReferenceProcessing = waitForReferenceProcessing;
    }

    @Override
    public boolean waitForReferenceProcessing() throws InterruptedException {
        if (waitForReferenceProcessing == null) {
            return false;
        }
        try {
            return waitForReferenceProcessing.call();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // the JDK method declares InterruptedException only
        }
    }

    /**
     * On a concurrent collector (ZGC, Shenandoah), the heap pools' usage at the end of their last
     * collection: the heap in use right after {@code System.gc()} counts everything allocated during the
     * cycle there (measured: 188 to 460 MiB for 100 MiB live). On the stop-the-world collectors the heap
     * in use right after the collection is kept (-1 here): it is larger than the pools' figure by what
     * was allocated since, and that margin is what keeps a huge array that G1 could not place in
     * contiguous regions, or Serial and Parallel in their old generation, from being granted.
     */
    @Override
    public long liveHeapAfterCollection() {
        List<MemoryPoolMXBean> pools = heapPools;
        if (pools == null) {
            pools = new ArrayList<>();
            boolean concurrent = false;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                concurrent |= pool.getName().startsWith("ZGC") || pool.getName().equals("ZHeap")
                        || pool.getName().startsWith("Shenandoah");
            }
            for (MemoryPoolMXBean pool : concurrent ? ManagementFactory.getMemoryPoolMXBeans()
                    : List.<MemoryPoolMXBean>of()) {
                // Generational ZGC's young pool reports what was allocated during the cycle; after the major
                // collection System.gc() asks for, its old generation holds what is live (measured on 25).
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null
                        && !"ZGC Young Generation".equals(pool.getName())) {
                    pools.add(pool);
                }
            }
            heapPools = pools;
        }
        if (pools.isEmpty()) {
            return -1;
        }
        long live = 0;
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage after = pool.getCollectionUsage();
            if (after == null) {
                return -1;
            }
            live += after.getUsed();
        }
        return live;
    }
}

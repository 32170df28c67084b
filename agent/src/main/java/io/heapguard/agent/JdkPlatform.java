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
    /** Where this collector puts a large array, looked up on the first growth large enough to ask. */
    private volatile Placement placement;
    private final long maxHeap = Runtime.getRuntime().maxMemory();

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

    @Override
    public long placementRoom(long requested, long replaced, long heapInUse, boolean afterCollection) {
        Placement p = placement();
        if (p.oldGeneration != null && requested > p.edenMax) {
            MemoryUsage u = afterCollection ? p.oldGeneration.getCollectionUsage() : p.oldGeneration.getUsage();
            return u == null || u.getMax() < 0 ? Long.MAX_VALUE : Math.max(0, u.getMax() - u.getUsed());
        }
        if (requested >= p.region / 2 && p.pinsHumongous) {
            long inUse = heapInUse;
            if (afterCollection) {
                // Right after a full collection eden and the survivors are empty: the old generation, humongous
                // regions included, holds what is live, without what other threads allocated since.
                MemoryUsage u = p.g1Old.getCollectionUsage();
                inUse = u == null ? heapInUse : u.getUsed();
            }
            // The regions a doubling chain's predecessors took below the replaced array: its size again, plus
            // one partly filled region per doubling since half a region.
            long below = replaced >= p.region / 2
                    ? replaced + p.region * (64 - Long.numberOfLeadingZeros(replaced / (p.region / 2))) : 0;
            long waste = regions(requested, p.region) - requested;
            return Math.max(0, maxHeap - inUse - below - waste);
        }
        return Long.MAX_VALUE;
    }

    private static long regions(long bytes, long region) {
        long withHeader = bytes + 16; // an array's header, at most
        return (withHeader + region - 1) / region * region;
    }

    private Placement placement() {
        Placement p = placement;
        if (p == null) {
            p = Placement.of(ManagementFactory.getMemoryPoolMXBeans());
            placement = p;
        }
        return p;
    }

    /** The facts about this collector that decide whether one large array can be placed. */
    static final class Placement {
        /**
         * Serial's and Parallel's old generation, where an array larger than eden must go; null on the
         * other collectors, which place one anywhere in the heap.
         */
        final MemoryPoolMXBean oldGeneration;
        final long edenMax;
        /** G1's old generation (humongous regions included), or null. */
        final MemoryPoolMXBean g1Old;
        /**
         * G1 before JDK 21 moves no humongous object (at least half a region), not even in a full
         * collection; JDK-8191565 made the last-ditch one move them.
         */
        final boolean pinsHumongous;
        final long region;

        private Placement(MemoryPoolMXBean oldGeneration, long edenMax, MemoryPoolMXBean g1Old, long region) {
            this.oldGeneration = oldGeneration;
            this.edenMax = edenMax;
            this.g1Old = g1Old;
            this.region = region;
            this.pinsHumongous = g1Old != null && region > 0 && Runtime.version().feature() < 21;
        }

        static Placement of(List<MemoryPoolMXBean> pools) {
            MemoryPoolMXBean old = null;
            MemoryPoolMXBean g1Old = null;
            long eden = -1;
            for (MemoryPoolMXBean pool : pools) {
                switch (pool.getName()) {
                    case "Tenured Gen", "PS Old Gen" -> old = pool;
                    case "Eden Space", "PS Eden Space" -> eden = pool.getUsage().getMax();
                    case "G1 Old Gen" -> g1Old = pool;
                    default -> { }
                }
            }
            if (old != null && eden < 0) {
                old = null; // an old generation without a known eden: no model to apply
            }
            return new Placement(old, eden, g1Old, g1Old == null ? -1 : g1RegionSize());
        }

        private static long g1RegionSize() {
            try {
                com.sun.management.HotSpotDiagnosticMXBean hs =
                        ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
                return Long.parseLong(hs.getVMOption("G1HeapRegionSize").getValue());
            } catch (RuntimeException | LinkageError e) {
                return -1; // not HotSpot, or the option is gone: assume nothing
            }
        }
    }
}

package io.heapguard.agent;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

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
    /** The collector the last {@link #collect()} saw run, or null; the reclaimer calls both under its lock. */
    private GarbageCollectorMXBean forced;
    private volatile List<GarbageCollectorMXBean> collectors;
    private volatile long capacity = maxHeap;
    /** How long {@link #collect()} keeps asking for a collection the JVM skips. */
    static final long SKIPPED_COLLECTION_PATIENCE_NANOS = 250_000_000L;
    /** Between two asks: measured, 10 to 29 tries on average, where spinning took up to 135,000. */
    private static final long RETRY_SKIPPED_COLLECTION_NANOS = 100_000L;

    /** 1 under {@code -XX:+DisableExplicitGC}, 0 without, -1 until asked. */
    private volatile int explicitCollectionDisabled = -1;
    private boolean warnedOfSkippedCollection;

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
     * Asks for a full collection and notes which collector ran it: with {@code -XX:+DisableExplicitGC} none
     * does, and the pools' figures would be those of some older collection.
     *
     * <p>HotSpot's GC locker (G1 before JDK 22, Serial and Parallel before JDK 25) skips {@code System.gc()}
     * without a word while any thread is inside a JNI critical region, and a thread gzipping through
     * {@code Deflater} is inside one for most of its time: measured on JDK 17 with one thread gzipping 1 MiB
     * responses in 8 KiB writes, 93 to 100 of 100 requests were skipped on Serial and G1, and a verdict made
     * from the heap in use then (garbage included) refused a growth to 40 % of the heap with 150 MiB live.
     * Asking again until one runs took at most 53 ms there; this waits up to
     * {@link #SKIPPED_COLLECTION_PATIENCE_NANOS}, then says none ran.
     */
    @Override
    public boolean collect() {
        List<GarbageCollectorMXBean> collectors = fullCollectors();
        long[] before = new long[collectors.size()];
        long deadline = System.nanoTime() + SKIPPED_COLLECTION_PATIENCE_NANOS;
        while (true) {
            for (int i = 0; i < before.length; i++) {
                before[i] = collectors.get(i).getCollectionCount();
            }
            System.gc();
            GarbageCollectorMXBean ran = null;
            for (int i = 0; i < before.length && ran == null; i++) {
                if (collectors.get(i).getCollectionCount() > before[i]) {
                    ran = collectors.get(i);
                }
            }
            forced = ran;
            if (ran != null || explicitCollectionDisabled() || before.length == 0) {
                return true; // where none can ever run, the heap as it is is all there is to go by
            }
            if (System.nanoTime() - deadline > 0) {
                if (!warnedOfSkippedCollection) {
                    warnedOfSkippedCollection = true;
                    Log.warn("heapguard: the JVM skipped the collection asked for before a refusal for "
                            + SKIPPED_COLLECTION_PATIENCE_NANOS / 1_000_000 + " ms (its GC locker does, before JDK 22"
                            + " on G1 and JDK 25 on Serial and Parallel, while any thread is inside a JNI critical"
                            + " region, as java.util.zip's Deflater and Inflater are); heapguard decides on its last"
                            + " collection instead, and says this once");
                }
                return false;
            }
            // A skipped request costs no safepoint while the critical region that stopped the last one lasts,
            // and the region ends within microseconds between a deflater's calls: ask again soon, not at once.
            LockSupport.parkNanos(RETRY_SKIPPED_COLLECTION_NANOS);
        }
    }

    private boolean explicitCollectionDisabled() {
        int disabled = explicitCollectionDisabled;
        if (disabled < 0) {
            explicitCollectionDisabled = disabled = (int) Placement.vmOption("DisableExplicitGC", 0);
        }
        return disabled != 0;
    }

    /** The collectors that collect the whole heap or its old generation, the ones System.gc() runs. */
    private List<GarbageCollectorMXBean> fullCollectors() {
        List<GarbageCollectorMXBean> collectors = this.collectors;
        if (collectors == null) {
            collectors = new ArrayList<>();
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (FULL_COLLECTORS.contains(gc.getName())) {
                    collectors.add(gc);
                }
            }
            this.collectors = collectors;
        }
        return collectors;
    }

    private static final java.util.Set<String> FULL_COLLECTORS = java.util.Set.of("MarkSweepCompact",
            "PS MarkSweep", "G1 Old Generation", "ZGC Major Cycles", "ZGC Cycles", "Shenandoah Cycles");

    /**
     * The heap as the collection just forced left it (its {@code GcInfo}'s usage after): on the
     * stop-the-world collectors exactly what survived it, where the heap in use read a moment later also
     * counts what other threads have allocated since (measured: 257 MiB against the collector's 125 MiB
     * under churn). The collection's own {@code GcInfo} rather than the pools' collection usage, which
     * any later collection overwrites (on ZGC young collections keep running). Generational ZGC's young
     * generation then holds what was allocated during the cycle (28 to 186 MiB, with 100 MiB live and two
     * threads allocating), so only its old generation, into which the major collection that
     * {@code System.gc()} asks for promotes everything reachable, is counted.
     *
     * <p>On G1 before JDK 21 that figure alone is not enough: see {@link #gapBeside}.
     */
    @Override
    public long liveHeapAfterCollection() {
        placement(); // for gapBeside, which the reclaimer asks under the registry's lock
        GarbageCollectorMXBean ran = forced;
        if (!(ran instanceof com.sun.management.GarbageCollectorMXBean)) {
            return -1;
        }
        com.sun.management.GcInfo info = ((com.sun.management.GarbageCollectorMXBean) ran).getLastGcInfo();
        if (info == null) {
            return -1;
        }
        long live = 0;
        boolean generationalZ = info.getMemoryUsageAfterGc().containsKey("ZGC Old Generation");
        for (MemoryPoolMXBean pool : heapPools()) {
            MemoryUsage after = info.getMemoryUsageAfterGc().get(pool.getName());
            if (after != null && !(generationalZ && pool.getName().equals("ZGC Young Generation"))) {
                live += after.getUsed();
            }
        }
        return live;
    }

    private List<MemoryPoolMXBean> heapPools() {
        List<MemoryPoolMXBean> pools = heapPools;
        if (pools == null) {
            pools = new ArrayList<>();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    pools.add(pool);
                }
            }
            heapPools = pools;
        }
        return pools;
    }

    /**
     * A region beside each humongous array on G1 before JDK 21. Without it the collector's exact figure
     * let a thread holding 4 MiB arrays (five 1 MiB regions each) be granted until it and the threads
     * around it ran out of memory with 40 MiB free (-Xmx256m, 144-152 MiB held, 36-38 arrays).
     */
    @Override
    public long gapBeside(long bytes) {
        Placement p = placement;
        return p != null && p.pinsHumongous && bytes >= p.region / 2 ? p.region : 0;
    }

    @Override
    public boolean concurrentCollector() {
        return placement().concurrent;
    }

    @Override
    public long heapCapacity() {
        return capacity;
    }

    /**
     * Learns the heap's layout off the application's threads (java.management costs start-up time): until
     * it has, the capacity is the maximum heap.
     */
    void learnLayout() {
        Placement p = placement();
        if (p.pinsHumongous && p.region < ROOMY_G1_REGION && exitsOnOutOfMemoryError()) {
            Log.warn(pinnedRegionsWarning(Runtime.version().feature(), p.region));
        }
    }

    /**
     * G1 regions from which other threads' 1-2 MiB buffers are no longer humongous, so that they cannot pin
     * regions between the ones a large growth needs. Measured before the placement gate (issue #13, blast radius
     * under {@code -XX:+ExitOnOutOfMemoryError}, JDK 17, {@code -Xmx256m}): 8 MiB regions survived 20 of 20
     * runs, 4 MiB 12 of 20, the default 1 MiB 2 of 10. The gate saves the blast radius with the default
     * regions too; a legitimate array near the largest run G1 can give still meets G1's own OutOfMemoryError
     * there now and then, which larger regions make rare.
     */
    static final long ROOMY_G1_REGION = 8L << 20;

    /**
     * The start-up warning on G1 before JDK 21 with small regions, where an OutOfMemoryError ends the JVM:
     * heapguard cannot always refuse a growth that G1 will fail to place (RELIABILITY.md, issue #13).
     */
    static String pinnedRegionsWarning(int feature, long region) {
        return "heapguard: G1 on JDK " + feature + " never moves an array of " + (region / 2 >> 10)
                + " KiB or more (half a region), and can fail to place a large one with room in the heap "
                + "(JDK-8191565): heapguard refuses what it can foresee, but not every such OutOfMemoryError, "
                + "and this JVM exits on one. -XX:G1HeapRegionSize=8m makes them rare (RELIABILITY.md, issue #13)";
    }

    private static boolean exitsOnOutOfMemoryError() {
        return Placement.vmOption("ExitOnOutOfMemoryError", 0) != 0
                || Placement.vmOption("CrashOnOutOfMemoryError", 0) != 0;
    }

    /**
     * Half a region on G1 before JDK 21. A field, since every tracked grant asks: until the background thread
     * has learned the heap's layout, nothing counts as pinned.
     */
    @Override
    public long pinnedFrom() {
        Placement p = placement;
        return p != null && p.pinsHumongous ? p.region / 2 : Long.MAX_VALUE;
    }

    @Override
    public long placementRoom(long requested, long replaced, long heapInUse, boolean afterCollection) {
        Placement p = placement();
        if (p.oldGeneration != null && requested > p.edenMax) {
            MemoryUsage u = afterCollection ? p.oldGeneration.getCollectionUsage() : p.oldGeneration.getUsage();
            return u == null || u.getMax() < 0 ? Long.MAX_VALUE : Math.max(0, u.getMax() - u.getUsed());
        }
        if (requested >= p.region / 2 && p.pinsHumongous) {
            // G1's own map of its regions says where it can put the array (one region to spare, for what the
            // full collection compacts of eden and rounds up); the estimate below serves where it cannot be had.
            int run = G1RegionMap.longestRunFor(p.region, maxHeap);
            if (run >= 0) {
                return Math.max(0, (run - 1) * p.region - ARRAY_HEADER);
            }
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

    /**
     * Serial: an array larger than eden goes into the tenured generation, whose size is fixed, and every
     * collection moves there what survives of the replaced array beyond what a survivor space holds (a young
     * collection promotes what the survivor space cannot take, a full one compacts the young generation into
     * the tenured one first). So a buffer holding more than about a third of the tenured generation cannot
     * double, whatever else is garbage: with {@code -Xmx256m}, 128 MiB beside the 64 MiB it copies from, in
     * 170.7. Parallel resizes its eden and survivor spaces as it goes, so their reported maximums bound
     * nothing and it is not judged here.
     */
    @Override
    public long placementCeiling(long requested, long replaced) {
        Placement p = placement();
        if (p.survivorMax < 0 || requested <= p.edenMax) {
            return Long.MAX_VALUE;
        }
        long tenured = p.oldGeneration.getUsage().getMax();
        return tenured < 0 ? Long.MAX_VALUE : tenured - Math.max(0, replaced - p.survivorMax);
    }

    /** An array's header, at most. */
    private static final long ARRAY_HEADER = 16;

    private static long regions(long bytes, long region) {
        long withHeader = bytes + ARRAY_HEADER;
        return (withHeader + region - 1) / region * region;
    }

    private Placement placement() {
        Placement p = placement;
        if (p == null) {
            p = Placement.of(ManagementFactory.getMemoryPoolMXBeans());
            if (p.oldGeneration != null) {
                // Serial and Parallel: the old generation and eden; the survivor space Runtime.maxMemory()
                // counts holds no large array and little else.
                capacity = Math.min(maxHeap, p.oldGeneration.getUsage().getMax() + p.edenMax);
            }
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
        /** Serial's survivor space, fixed with its young generation's maximum; -1 on the other collectors. */
        final long survivorMax;
        /** G1's old generation (humongous regions included), or null. */
        final MemoryPoolMXBean g1Old;
        /**
         * G1 before JDK 21 moves no humongous object (at least half a region), not even in a full
         * collection; JDK-8191565 made the last-ditch one move them.
         */
        final boolean pinsHumongous;
        final long region;
        /** ZGC or Shenandoah. */
        final boolean concurrent;

        private Placement(MemoryPoolMXBean oldGeneration, long edenMax, long survivorMax, MemoryPoolMXBean g1Old,
                          long region, boolean concurrent) {
            this.concurrent = concurrent;
            this.oldGeneration = oldGeneration;
            this.edenMax = edenMax;
            this.survivorMax = oldGeneration == null ? -1 : survivorMax;
            this.g1Old = g1Old;
            this.region = region;
            this.pinsHumongous = g1Old != null && region > 0 && Runtime.version().feature() < 21;
        }

        static Placement of(List<MemoryPoolMXBean> pools) {
            MemoryPoolMXBean old = null;
            MemoryPoolMXBean g1Old = null;
            long eden = -1;
            long serialSurvivor = -1;
            boolean concurrent = false;
            for (MemoryPoolMXBean pool : pools) {
                concurrent |= pool.getName().startsWith("ZGC") || pool.getName().equals("ZHeap")
                        || pool.getName().startsWith("Shenandoah");
                switch (pool.getName()) {
                    case "Tenured Gen", "PS Old Gen" -> old = pool;
                    case "Eden Space", "PS Eden Space" -> eden = pool.getUsage().getMax();
                    case "Survivor Space" -> serialSurvivor = pool.getUsage().getMax();
                    case "G1 Old Gen" -> g1Old = pool;
                    default -> { }
                }
            }
            if (old != null && eden < 0) {
                old = null; // an old generation without a known eden: no model to apply
            }
            return new Placement(old, eden, serialSurvivor, g1Old,
                    g1Old == null ? -1 : vmOption("G1HeapRegionSize", -1), concurrent);
        }

        /**
         * A HotSpot option as a number (a boolean as 1 or 0), or {@code otherwise}: not HotSpot, or the option
         * is gone. Assume nothing then.
         */
        static long vmOption(String name, long otherwise) {
            try {
                com.sun.management.HotSpotDiagnosticMXBean hs =
                        ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
                String value = hs.getVMOption(name).getValue();
                return "true".equals(value) ? 1 : "false".equals(value) ? 0 : Long.parseLong(value);
            } catch (RuntimeException | LinkageError e) {
                return otherwise;
            }
        }
    }
}

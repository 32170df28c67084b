package io.heapguard.agent;

import java.lang.management.ManagementFactory;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Answers whether a large array fits on G1 before JDK 21 from the heap's region map ({@link G1RegionMap}), read
 * right after a full collection. A map costs milliseconds and about 200 KB of heap to read (the {@code VM.info}
 * diagnostic command), so the ledger asks only for arrays of at least a sixteenth of the heap that the cheap
 * bound on free regions could not vouch for, never for the many small ones.
 */
final class PinnedRegions {
    private final long region;
    private final int regionCount;
    private boolean unreadable;

    PinnedRegions(long region, long maxHeap) {
        this.region = region;
        this.regionCount = (int) ((maxHeap + region - 1) / region);
    }

    /**
     * {@link Long#MAX_VALUE} when an array of {@code requested} bytes fits with a free run of {@code beside}
     * bytes left beside it (or after it, in the same run); otherwise the longest array that could be placed.
     *
     * <p>The run must be longer than the array by {@code beside}, and at least by an eighth of it: between the
     * map and the array's allocation, the other threads' smaller humongous arrays go into the lowest free
     * runs, and those still live when G1 runs out split the run it was counted on. Measured on JDK 17,
     * {@code -Xmx256m}, four threads building 1-2 MiB responses: a 131-region run that held the 129-region
     * array on the map had a 2-region array 60 regions into it when G1 tried, and it ran out of memory.
     */
    synchronized long room(long requested, long beside) {
        G1RegionMap map = read();
        if (map == null) {
            return Long.MAX_VALUE; // no map to be had: the heap's totals decide, as on other collectors
        }
        long regions = regionsFor(requested + 16); // an array's header
        long besideRegions = regionsFor(beside);
        long withMargin = regions + Math.max(regions / 8, besideRegions);
        return withMargin <= Integer.MAX_VALUE && map.fits((int) withMargin, (int) besideRegions)
                ? Long.MAX_VALUE : map.largestRun() * region * regions / withMargin;
    }

    private long regionsFor(long bytes) {
        return (bytes + region - 1) / region;
    }

    private G1RegionMap read() {
        if (unreadable) {
            return null;
        }
        G1RegionMap map;
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmInfo", new Object[] {null},
                    new String[] {String[].class.getName()});
            map = text instanceof String ? G1RegionMap.parse((String) text, regionCount) : null;
        } catch (JMException | RuntimeException e) {
            map = null;
        }
        if (map == null) {
            unreadable = true;
            Log.warn("heapguard: G1's region map could not be read; large arrays are judged by the heap's"
                    + " free regions alone, which G1 before JDK 21 may not be able to place in one piece");
        }
        return map;
    }
}

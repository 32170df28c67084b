package io.heapguard.agent;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * G1's region map as {@code VM.info} prints it on JDK 17, reduced to the longest run one more pinned array could
 * take: now (free, eden, survivor and uncommitted regions), or once a full collection has packed what it can move
 * into the lowest regions.
 */
class G1RegionMapTest {

    /** A {@code VM.info} excerpt with one line per listed region: {@code types[i]} at index {@code at[i]}. */
    private static String vmInfo(int[] at, String[] types, int[] percent) {
        StringBuilder b = new StringBuilder("garbage-first heap   total 262144K, used 1024K\n"
                + "Heap Regions: E=young(eden), S=young(survivor), O=old, HS=humongous(starts), HC=humongous(continues),"
                + " CS=collection set, F=free, OA=open archive, CA=closed archive, TAMS=top-at-mark-start (previous, next)\n");
        for (int i = 0; i < at.length; i++) {
            b.append(String.format("|%4d|0x00000000f0000000, 0x00000000f0100000, 0x00000000f0100000|%3d%%|%2s|  "
                    + "|TAMS 0x00000000f0000000, 0x00000000f0000000| Untracked %n", at[i], percent[i], types[i]));
        }
        return b.append("\nPolling page: 0x00007f\n").toString();
    }

    private static String listed(String... types) {
        int[] at = new int[types.length];
        int[] percent = new int[types.length];
        for (int i = 0; i < types.length; i++) {
            at[i] = i;
            percent[i] = types[i].equals("F") ? 0 : 100;
        }
        return vmInfo(at, types, percent);
    }

    @Test
    void pinnedArraysSplitTheRunsAndEdenAndSurvivorsCountAsFree() {
        assertEquals(4, G1RegionMap.longestRun(listed("F", "F", "HS", "HC", "E", "S", "F", "F", "HS", "F"), 10));
    }

    @Test
    void regionsTheMapDoesNotListAreUncommittedAndCountAsFree() {
        String info = vmInfo(new int[] {0, 1, 5, 9}, new String[] {"HS", "F", "HS", "OA"}, new int[] {100, 0, 100, 100});
        assertEquals(4, G1RegionMap.longestRun(info, 10), "the free region 1 and the uncommitted 2-4");
        assertEquals(10, G1RegionMap.longestRun(vmInfo(new int[0], new String[0], new int[0]), 10));
    }

    @Test
    void aFullCollectionPacksOldRegionsIntoTheLowestOnesItMayUse() {
        // Now: runs of 2, 1 and 3. The old regions hold 150 % of a region: packed into regions 0 and 1, they
        // leave 2 and, beyond the pinned 3, regions 4 to 9.
        String info = vmInfo(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                new String[] {"O", "F", "F", "HS", "F", "O", "F", "F", "F", "O"},
                new int[] {100, 0, 0, 100, 0, 30, 0, 0, 0, 20});
        assertEquals(6, G1RegionMap.longestRun(info, 10));
    }

    @Test
    void textItCannotReadGivesNoAnswer() {
        assertEquals(-1, G1RegionMap.longestRun("no map here", 10));
        assertEquals(-1, G1RegionMap.longestRun(listed("F", "F"), 1), "a region beyond the heap");
        assertEquals(-1, G1RegionMap.longestRun(
                "Heap Regions: ...\n|   0|0x0, 0x1, 0x1|  x%| F|  |TAMS 0x0| Untracked\n", 4));
    }

    @Test
    void readsThisJvmsOwnMapOnG1Before21() {
        boolean g1 = false;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            g1 |= gc.getName().startsWith("G1");
        }
        Assumptions.assumeTrue(g1 && Runtime.version().feature() < 21, "G1 before JDK 21 only");
        long region = JdkPlatform.Placement.vmOption("G1HeapRegionSize", -1);
        int run = G1RegionMap.longestRunFor(region, Runtime.getRuntime().maxMemory());
        long regions = Runtime.getRuntime().maxMemory() / region;
        assertTrue(run > 0 && run <= regions, run + " of " + regions + " regions");
    }
}

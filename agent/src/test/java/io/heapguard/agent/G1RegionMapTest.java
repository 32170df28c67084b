package io.heapguard.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class G1RegionMapTest {

    /** {@code VM.info}'s region list as JDK 17 prints it, one line per region of the given types. */
    private static String vmInfo(String... types) {
        StringBuilder sb = new StringBuilder("Heap:\n garbage-first heap   total 10240K, used 4096K\n"
                + "Heap Regions: E=young(eden), S=young(survivor), O=old, HS=humongous(starts), HC=humongous(continues),"
                + " CS=collection set, F=free, OA=open archive, CA=closed archive, TAMS=top-at-mark-start (previous, next)\n");
        for (int i = 0; i < types.length; i++) {
            sb.append(String.format("|%4d|0x00000000f0%d00000, 0x00000000f0%d00000, 0x00000000f0%d00000|  0%%|%2s|  "
                    + "|TAMS 0x00000000f0000000, 0x00000000f0000000| Untracked %n", i, i, i, i + 1, types[i]));
        }
        return sb.append("\nPolling page: 0x0000\n").toString();
    }

    @Test
    void anArrayNeedsARunOfFreeRegionsNotFreeBytes() {
        // the old region's data stays at the bottom; 5 free regions in all, none 3 long: a 3-region array does not fit
        G1RegionMap map = G1RegionMap.parse(vmInfo("O", "F", "F", "HS", "HC", "F", "E", "HS", "F"), 9);
        assertEquals(2, map.largestRun());
        assertTrue(map.fits(2, 0));
        assertFalse(map.fits(3, 0));
    }

    @Test
    void aFullCollectionCompactsOldDataIntoTheLowestRegionsThatAreNotPinned() {
        // four free regions below the humongous array, but the two old regions' data moves down into them
        G1RegionMap map = G1RegionMap.parse(vmInfo("F", "F", "F", "F", "HS", "O", "O"), 7);
        assertEquals(2, map.largestRun());
        assertFalse(map.fits(3, 0));
    }

    @Test
    void youngAndUncommittedRegionsAreFreeAfterACollectionOldSurvivorAndArchiveRegionsAreNot() {
        // the list stops at region 3: regions 4 to 7 are not committed, and G1 commits them for an array
        G1RegionMap map = G1RegionMap.parse(vmInfo("S", "E", "OA", "E"), 8);
        assertEquals(5, map.largestRun());
        assertEquals(1, G1RegionMap.parse(vmInfo("CA", "E", "O", "S"), 4).largestRun());
    }

    @Test
    void theRoomBesideIsCountedOutsideWhereTheArrayGoes() {
        // the old data goes to region 0; G1 takes the lowest run long enough: regions 1-2 for a 2-region
        // array, leaving 4-7
        G1RegionMap map = G1RegionMap.parse(vmInfo("F", "F", "O", "HS", "F", "F", "F", "F"), 8);
        assertTrue(map.fits(2, 4));
        assertFalse(map.fits(2, 5));
        // a 3-region array goes to 4-6: regions 1-2 and 7 are left
        assertTrue(map.fits(3, 2));
        assertFalse(map.fits(3, 3));
    }

    @Test
    void aListItCannotReadIsNoMap() {
        assertNull(G1RegionMap.parse("no regions here", 8));
        assertNull(G1RegionMap.parse(vmInfo("F", "F"), 1), "a region past the maximum heap");
        assertNull(G1RegionMap.parse("Heap Regions: ...\n|  x|0x0|  0%| F|  |TAMS\n", 8));
    }
}

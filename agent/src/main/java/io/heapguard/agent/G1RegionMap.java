package io.heapguard.agent;

/**
 * G1's heap as its regions stand, read from the {@code VM.info} diagnostic command's "Heap Regions" list:
 * which regions hold arrays G1 will not move, which hold other data and which are free. G1 before JDK 21
 * never moves a humongous array, not even in its last full collection before an {@code OutOfMemoryError}
 * (JDK-8191565), so whether a large array fits is a question of runs of free regions, not of free bytes:
 * measured on JDK 17, {@code -Xmx256m}, 47 free regions in holes between pinned 4 MiB arrays could not take a
 * fifth one.
 *
 * <p>The map is read as G1 would leave it after the full collection it runs before giving up: humongous and
 * archive regions stay where they are, and the data of old and survivor regions is compacted into the
 * lowest regions that are not pinned (young regions are assumed empty of survivors beyond those). Measured
 * on JDK 17: counting the old regions where they stood let a 64 MiB array be granted into a run that G1's
 * compaction then filled, and it ran out of memory.
 */
final class G1RegionMap {
    private static final String SECTION = "Heap Regions:";

    /** Per region: true where a new humongous array may go after a full collection. */
    private final boolean[] free;

    private G1RegionMap(boolean[] free) {
        this.free = free;
    }

    /**
     * @param vmInfo       the {@code VM.info} text
     * @param regionCount  the heap's regions at its maximum size: regions the list leaves out are not
     *                     committed, and G1 commits them for a humongous array
     * @return null when the text has no region list this parser understands
     */
    static G1RegionMap parse(String vmInfo, int regionCount) {
        int at = vmInfo.indexOf(SECTION);
        if (at < 0 || regionCount <= 0) {
            return null;
        }
        boolean[] pinned = new boolean[regionCount];
        int compacted = 0;
        int line = vmInfo.indexOf('\n', at) + 1;
        int seen = 0;
        while (line > 0 && line < vmInfo.length() && vmInfo.charAt(line) == '|') {
            int end = vmInfo.indexOf('\n', line);
            if (end < 0) {
                end = vmInfo.length();
            }
            // |   0|0x..., 0x..., 0x...|100%| O|  |TAMS ...
            String[] fields = vmInfo.substring(line, end).split("\\|", 6);
            if (fields.length < 6) {
                return null;
            }
            int index;
            try {
                index = Integer.parseInt(fields[1].trim());
            } catch (NumberFormatException e) {
                return null;
            }
            if (index < 0 || index >= regionCount) {
                return null;
            }
            String type = fields[4].trim();
            if (type.startsWith("H") || type.endsWith("A")) {
                pinned[index] = true; // humongous starts or continues; open or closed archive
            } else if (type.equals("O") || type.equals("S")) {
                compacted++;
            }
            seen++;
            line = end + 1;
        }
        if (seen == 0) {
            return null;
        }
        boolean[] free = new boolean[regionCount];
        for (int i = 0; i < regionCount; i++) {
            if (!pinned[i]) {
                if (compacted > 0) {
                    compacted--;
                } else {
                    free[i] = true;
                }
            }
        }
        return new G1RegionMap(free);
    }

    /**
     * Whether an array of {@code regions} regions fits, placed as G1 places one (the lowest run long
     * enough), with a run of {@code besideRegions} still free beside it.
     */
    boolean fits(int regions, int besideRegions) {
        int placedAt = -1;
        int run = 0;
        for (int i = 0; i < free.length && placedAt < 0; i++) {
            run = free[i] ? run + 1 : 0;
            if (run == regions) {
                placedAt = i - regions + 1;
            }
        }
        if (placedAt < 0) {
            return false;
        }
        return besideRegions <= 0 || largestRunOutside(placedAt, regions) >= besideRegions;
    }

    /** The longest run of free regions, leaving out {@code [from, from + length)}. */
    private int largestRunOutside(int from, int length) {
        int best = 0;
        int run = 0;
        for (int i = 0; i < free.length; i++) {
            run = free[i] && (i < from || i >= from + length) ? run + 1 : 0;
            best = Math.max(best, run);
        }
        return best;
    }

    /** The longest run of free regions. */
    int largestRun() {
        return largestRunOutside(0, 0);
    }
}

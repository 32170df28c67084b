package io.heapguard.agent;

import java.lang.management.ManagementFactory;

import javax.management.JMException;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Where G1 before JDK 21 can put one more array it will never move, read from its own map of regions: the
 * {@code VM.info} diagnostic command lists every committed region, one line each,
 * {@code |  12|0x..., 0x..., 0x...| 37%| O|  |TAMS ...| Complete}. G1 places such an array in the first run
 * of free regions long enough; failing that it runs a young collection, which empties eden and the survivor
 * regions, and at last a full collection that compacts everything it can move ({@code O}, {@code S}, {@code E})
 * into the lowest regions it may use. So the longest run is the larger of two: free, eden and survivor
 * regions as they are, and every region but the pinned ones once the movable ones' contents are packed from
 * the bottom. Uncommitted regions, which the map does not list, count as free: G1 expands into them for such
 * an array.
 *
 * <p>About 2 ms and 50-250 KB of text at 256-2,048 regions: read only for growths that are judged by where
 * they must go.
 */
final class G1RegionMap {
    private static final String HEADER = "Heap Regions:";
    private static final ObjectName DIAGNOSTIC_COMMAND = diagnosticCommand();

    // What a region is to a new pinned array.
    private static final byte FREE = 0;
    private static final byte SURVIVOR = 1;
    private static final byte OLD = 2;
    private static final byte PINNED = 3;

    private G1RegionMap() {
    }

    /** The longest run of regions one more pinned array could take now, or -1 when the map cannot be had. */
    static int longestRunFor(long regionBytes, long maxHeapBytes) {
        String info = vmInfo();
        return info == null ? -1 : longestRun(info, (int) (maxHeapBytes / regionBytes));
    }

    /**
     * @param vmInfo  the text of {@code VM.info}
     * @param regions the heap's regions, committed or not
     * @return the longest run, or -1 when the text has no region map this reads
     */
    static int longestRun(String vmInfo, int regions) {
        int at = vmInfo.indexOf(HEADER);
        if (at < 0 || regions <= 0) {
            return -1;
        }
        byte[] kind = new byte[regions]; // FREE where no line says otherwise: uncommitted
        long movablePercent = 0;
        int next = 0;
        int line = vmInfo.indexOf('\n', at) + 1;
        while (line > 0 && line < vmInfo.length() && vmInfo.charAt(line) == '|') {
            int end = vmInfo.indexOf('\n', line);
            if (end < 0) {
                end = vmInfo.length();
            }
            int index = number(field(vmInfo, line, end, 0));
            String used = field(vmInfo, line, end, 2);
            String type = field(vmInfo, line, end, 3);
            int percent = used == null || !used.endsWith("%") ? -1 : number(used.substring(0, used.length() - 1));
            if (index < next || index >= regions || percent < 0 || type == null) {
                return -1; // not the format this reads
            }
            switch (type) {
                case "F", "E" -> kind[index] = FREE;
                case "S" -> kind[index] = SURVIVOR;
                case "O" -> kind[index] = OLD;
                default -> kind[index] = PINNED; // HS, HC, the archive regions, anything not known to move
            }
            if (kind[index] == SURVIVOR || kind[index] == OLD) {
                movablePercent += percent;
            }
            next = index + 1;
            line = end + 1;
        }
        int now = longestRun(kind, false);
        long toPack = (movablePercent + 99) / 100;
        for (int i = 0; i < regions && toPack > 0; i++) {
            if (kind[i] != PINNED) {
                kind[i] = PINNED;
                toPack--;
            }
        }
        return Math.max(now, longestRun(kind, true));
    }

    /** The longest run of free and survivor regions, and old ones too if {@code withOld}. */
    private static int longestRun(byte[] kind, boolean withOld) {
        int longest = 0;
        int run = 0;
        for (byte k : kind) {
            if (k == FREE || k == SURVIVOR || withOld && k == OLD) {
                longest = Math.max(longest, ++run);
            } else {
                run = 0;
            }
        }
        return longest;
    }

    /** Field {@code n} (from 0) of a line {@code |f0|f1|f2|...}, trimmed, or null. */
    private static String field(String s, int line, int end, int n) {
        int bar = line;
        for (int k = 0; k < n; k++) {
            bar = s.indexOf('|', bar + 1);
            if (bar < 0 || bar >= end) {
                return null;
            }
        }
        int close = s.indexOf('|', bar + 1);
        return close < 0 || close > end ? null : s.substring(bar + 1, close).trim();
    }

    /** A non-negative decimal, or -1. */
    private static int number(String s) {
        if (s == null || s.isEmpty() || s.length() > 9) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static String vmInfo() {
        try {
            Object info = ManagementFactory.getPlatformMBeanServer().invoke(DIAGNOSTIC_COMMAND, "vmInfo", null, null);
            return info instanceof String ? (String) info : null;
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    private static ObjectName diagnosticCommand() {
        try {
            return new ObjectName("com.sun.management:type=DiagnosticCommand");
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}

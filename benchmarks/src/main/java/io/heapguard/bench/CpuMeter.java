package io.heapguard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** How busy the whole machine is, from Linux's {@code /proc/stat}; zeros elsewhere. */
final class CpuMeter {
    private CpuMeter() {
    }

    /** {@code [busy jiffies, total jiffies]} of all CPUs together. */
    static long[] sample() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) {
                        total += Long.parseLong(f[i]);
                    }
                    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
                    return new long[] {total - idle, total};
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: report an idle machine
        }
        return new long[] {0, 0};
    }

    /** Average number of busy cores between two samples. */
    static double busyCores(long[] a, long[] b) {
        long total = b[1] - a[1];
        if (total <= 0) {
            return 0;
        }
        return Runtime.getRuntime().availableProcessors() * (double) (b[0] - a[0]) / total;
    }
}

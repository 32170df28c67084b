package io.heapguard.it.apps.reliability;

import java.util.Arrays;

/** Request latencies of one thread, in nanoseconds; merged at the end. Not thread-safe: one per thread. */
public final class Latencies {
    private long[] values = new long[1024];
    private int n;

    public void add(long nanos) {
        if (n == values.length) {
            values = Arrays.copyOf(values, n * 2);
        }
        values[n++] = nanos;
    }

    public int count() {
        return n;
    }

    public static Latencies merge(Iterable<Latencies> all) {
        Latencies m = new Latencies();
        for (Latencies l : all) {
            for (int i = 0; i < l.n; i++) {
                m.add(l.values[i]);
            }
        }
        return m;
    }

    /** The {@code q}-quantile in milliseconds (nearest rank), or -1 when empty. */
    public double quantileMillis(double q) {
        if (n == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, rank))] / 1e6;
    }

    public double maxMillis() {
        long max = -1;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, values[i]);
        }
        return max / 1e6;
    }

    public static String ms(double millis) {
        return String.format(java.util.Locale.ROOT, "%.2f", millis);
    }
}

package io.heapguard.agent.management;

/**
 * Refusals counted in one-second buckets over a sliding window, for the health attribute. Recording is
 * a short synchronized block; the rate is computed only when read.
 */
final class RefusalWindow {
    private final long[] counts;
    private final long[] seconds;

    RefusalWindow(int windowSeconds) {
        counts = new long[Math.max(1, windowSeconds)];
        seconds = new long[counts.length];
    }

    synchronized void record(long nowNanos) {
        long second = nowNanos / 1_000_000_000L;
        int i = (int) Math.floorMod(second, (long) counts.length);
        if (seconds[i] != second) {
            seconds[i] = second;
            counts[i] = 0;
        }
        counts[i]++;
    }

    synchronized double ratePerSecond(long nowNanos) {
        long now = nowNanos / 1_000_000_000L;
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (now - seconds[i] < counts.length) {
                sum += counts[i];
            }
        }
        return (double) sum / counts.length;
    }
}

package io.heapguard.ledger;

/**
 * At most {@code permits} events per {@code periodNanos}, counting what it turned away so the next
 * permitted event can say how many were dropped. Lock-free enough for a refusal storm: the common
 * refusal takes one synchronized block of a few instructions.
 */
public final class RateLimiter {
    private final int permits;
    private final long periodNanos;
    private long windowStart;
    private int used;
    private long dropped;
    private long droppedTotal;

    public RateLimiter(int permits, long periodNanos) {
        this.permits = permits;
        this.periodNanos = periodNanos;
        this.windowStart = System.nanoTime();
    }

    /**
     * @return -1 when the event must be dropped, otherwise how many were dropped since the last
     *         permitted one
     */
    public synchronized long tryAcquire() {
        long now = System.nanoTime();
        if (now - windowStart >= periodNanos) {
            windowStart = now;
            used = 0;
        }
        if (used >= permits) {
            dropped++;
            droppedTotal++;
            return -1;
        }
        used++;
        long d = dropped;
        dropped = 0;
        return d;
    }

    public synchronized long droppedTotal() {
        return droppedTotal;
    }
}

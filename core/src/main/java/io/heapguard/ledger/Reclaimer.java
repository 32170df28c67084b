package io.heapguard.ledger;

/**
 * Makes sure garbage is not what stands between a growth and its quota: before the ledger refuses, it
 * asks for a collection, waits for the collector's references to be enqueued, and credits them.
 *
 * <p>Forced collections are paid from a time budget (a share of wall time, with a bounded burst), so a
 * refusal storm cannot turn into a collection storm; threads that find a collection already done by
 * another since they looked reuse its result. When the budget is spent, the heap's live size is
 * estimated from the last forced collection plus what the ledger has charged on the heap since.
 */
final class Reclaimer {
    /** Forced collections may take at most this share of wall time over the long run. */
    private static final double BUDGET_SHARE = 0.25;
    /** ... and at most this much in one burst after a quiet period. */
    private static final long BUDGET_CAP_NANOS = 1_000_000_000L;

    private final Platform platform;
    private final ChargeRegistry registry;
    private final Account heapTracked;
    private final Runtime runtime = Runtime.getRuntime();
    private final Object lock = new Object();

    private long budgetNanos = BUDGET_CAP_NANOS;
    private long lastRefill = System.nanoTime();
    private volatile long epoch;
    private volatile long liveAfterCollection = -1;
    private volatile long heapTrackedAtCollection;
    private volatile long forcedCollections;

    Reclaimer(Platform platform, ChargeRegistry registry, Account heapTracked) {
        this.platform = platform;
        this.registry = registry;
        this.heapTracked = heapTracked;
    }

    long epoch() {
        return epoch;
    }

    long forcedCollections() {
        return forcedCollections;
    }

    long heapUsed() {
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * Collects unless another thread has since {@code seenEpoch} or the budget is spent.
     *
     * @return true when a collection completed after {@code seenEpoch}
     */
    boolean reclaim(long seenEpoch) {
        synchronized (lock) {
            if (epoch != seenEpoch) {
                registry.drain();
                return true;
            }
            long now = System.nanoTime();
            budgetNanos = Math.min(BUDGET_CAP_NANOS, budgetNanos + (long) ((now - lastRefill) * BUDGET_SHARE));
            lastRefill = now;
            if (budgetNanos <= 0) {
                registry.drain();
                return false;
            }
            platform.collect();
            awaitReferenceProcessing();
            long end = System.nanoTime();
            budgetNanos -= end - now;
            lastRefill = end;
            liveAfterCollection = heapUsed();
            heapTrackedAtCollection = heapTracked.used();
            forcedCollections++;
            epoch++;
            return true;
        }
    }

    /** The heap's live bytes as well as known without collecting now. */
    long liveHeapEstimate() {
        long used = heapUsed();
        long after = liveAfterCollection;
        if (after < 0) {
            return used;
        }
        return Math.min(used, after + Math.max(0, heapTracked.used() - heapTrackedAtCollection));
    }

    private void awaitReferenceProcessing() {
        boolean interrupted = false;
        try {
            do {
                registry.drain();
                try {
                    if (!platform.waitForReferenceProcessing()) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            } while (true);
            registry.drain();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

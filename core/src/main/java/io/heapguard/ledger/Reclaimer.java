package io.heapguard.ledger;

/**
 * Makes sure garbage is not what stands between a growth and its quota: before the ledger refuses, it
 * asks for a collection, waits for the collector's references to be enqueued, and credits them. Each
 * collection leaves a {@link Verdict}: the live heap as the collector reports it, and the thread holding
 * the most of what survived, the only one the heap reserve may refuse.
 *
 * <p>Forced collections are paid from a time budget (a share of wall time, with a bounded burst), so a
 * refusal storm cannot turn into a collection storm; threads that find a collection already done by
 * another since they looked reuse it. A limit whose account has been charged since the last collection
 * may still collect, at most a few times a second, when the budget is spent: those charges may be
 * garbage, and refusing on garbage is a false refusal; such a refusal waits for that collection.
 */
final class Reclaimer {
    /** Forced collections may take at most this share of wall time over the long run. */
    static final double BUDGET_SHARE = 0.25;
    /** ... and at most this much in one burst after a quiet period. */
    static final long BUDGET_CAP_NANOS = 1_000_000_000L;
    /** With the budget spent, a collection for charges that may be garbage waits at least this long. */
    private static final long OVERDRAFT_INTERVAL_NANOS = 250_000_000L;
    private static final int SCAN_MAX = 100_000;
    /** How long a verdict stands in for the live heap on a concurrent collector. */
    private static final long RECENT_NANOS = 5_000_000_000L;

    /** What a collection found. */
    static final class Verdict {
        final long liveHeap;
        /** The owner holding the most charges that survived the collection; null when none. */
        final Account largestOwner;
        final long largestBytes;
        /** The reclaimer's epoch from this collection on. */
        final long epoch;
        /** When the collection ended. */
        final long madeAtNanos;
        /** The registry's links when the collection began: charges up to this serial existed before it. */
        final long linkedBefore;

        Verdict(long liveHeap, ChargeRegistry.Holding largest, long epoch, long madeAtNanos, long linkedBefore) {
            this.liveHeap = liveHeap;
            this.epoch = epoch;
            this.madeAtNanos = madeAtNanos;
            this.linkedBefore = linkedBefore;
            this.largestOwner = largest == null ? null : largest.owner;
            this.largestBytes = largest == null ? 0 : largest.bytes;
        }

        /**
         * Whether this growth is the heap's biggest consumer: asked by the thread found holding the most,
         * or larger on its own than what that thread holds.
         */
        boolean incriminates(Account owner, long requested) {
            return owner == largestOwner || requested > largestBytes;
        }

        /**
         * The live heap as it stands for {@code owner}: what the collection found, plus what the thread it
         * found holding the most has taken since. When the budget allows no fresh collection, a verdict
         * can be old, and a suspect that kept growing must not be judged on the heap as it was; what other
         * threads took since is not counted, since it may be garbage.
         */
        long liveHeapFor(Account owner) {
            return owner == largestOwner ? liveHeap + Math.max(0, owner.used() - largestBytes) : liveHeap;
        }

        /**
         * Whether it is recent enough to stand in for the live heap without a collection: what was
         * allocated untracked since is not in it, hence the age limit.
         */
        boolean isRecent() {
            return System.nanoTime() - madeAtNanos <= RECENT_NANOS;
        }
    }

    private final Platform platform;
    private final ChargeRegistry registry;
    private final Runtime runtime = Runtime.getRuntime();
    private final Object lock = new Object();

    private final double budgetShare;
    private final long budgetCapNanos;
    private long budgetNanos;
    private long lastRefill = System.nanoTime();
    private long lastEnd = System.nanoTime() - OVERDRAFT_INTERVAL_NANOS;
    private volatile long epoch;
    private volatile Verdict verdict;
    private volatile long forcedCollections;
    private volatile long skippedCollections;

    /** @param budgetShare 0 in tests that need the budget spent for good */
    Reclaimer(Platform platform, ChargeRegistry registry, double budgetShare, long budgetCapNanos) {
        this.platform = platform;
        this.registry = registry;
        this.budgetShare = budgetShare;
        this.budgetCapNanos = budgetCapNanos;
        this.budgetNanos = budgetCapNanos;
    }

    long epoch() {
        return epoch;
    }

    long forcedCollections() {
        return forcedCollections;
    }

    /** Collections asked for that the JVM would not run ({@link Platform#collect()}). */
    long skippedCollections() {
        return skippedCollections;
    }

    /** The registry's links so far: see {@link #collectedAfter}. */
    long links() {
        return registry.links();
    }

    /**
     * Whether the verdict in force comes from a collection that began once {@code links} charges had been
     * linked, so after the memory of each of them was allocated.
     */
    boolean collectedAfter(long links) {
        Verdict v = verdict;
        return v != null && v.linkedBefore >= links;
    }

    /**
     * What the budget holds now, in nanoseconds of collection: a forced collection is paid from it while it
     * is above zero; at or below zero only an overdraft collection runs.
     */
    long budgetNanos() {
        synchronized (lock) {
            return refilledBudget(System.nanoTime());
        }
    }

    /** Under the lock: the budget with what wall time has earned it since the last refill. */
    private long refilledBudget(long now) {
        return Math.min(budgetCapNanos, budgetNanos + (long) ((now - lastRefill) * budgetShare));
    }

    /** The last collection's verdict, or null before the first. */
    Verdict verdict() {
        return verdict;
    }

    long heapUsed() {
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /**
     * Collects unless another thread has since {@code seenEpoch} or the budget is spent.
     *
     * @param overdraft whether charges since the last collection may be garbage holding the quota,
     *                  which justifies a collection beyond the budget (rate-limited)
     * @return true when a collection completed after {@code seenEpoch}
     */
    boolean reclaim(long seenEpoch, boolean overdraft) {
        synchronized (lock) {
            if (epoch != seenEpoch) {
                registry.drain();
                return true;
            }
            long now = System.nanoTime();
            budgetNanos = refilledBudget(now);
            lastRefill = now;
            if (budgetNanos <= 0) {
                if (!overdraft) {
                    registry.drain();
                    return false;
                }
                // Charges made since the last collection may be garbage, and refusing on garbage is a false
                // refusal: wait out the overdraft interval rather than refuse unconfirmed. A collection by
                // another thread meanwhile serves as well.
                if (!awaitOverdraft(seenEpoch)) {
                    registry.drain();
                    return epoch != seenEpoch;
                }
                now = System.nanoTime();
            }
            // Holdings count only charges taken before the collection: threads that churn keep charging
            // while it runs and while its references are processed, and their fresh garbage would count as
            // held (measured: threads building 1-2 MiB responses found holding up to 70 MiB on G1 / JDK 17).
            // A charge retired meanwhile still counts (ChargeRegistry.beginCount).
            long linkedBefore = registry.beginCount();
            long live;
            ChargeRegistry.Holding largest;
            try {
                live = collectAndMeasure();
                if (live >= 0 && platform.concurrentCollector()) {
                    live = minMeasured(live, collectAndMeasure());
                    live = minMeasured(live, collectAndMeasure());
                }
                largest = live < 0 ? null : registry.largestOwner(SCAN_MAX, linkedBefore);
            } finally {
                registry.endCount();
            }
            long end = System.nanoTime();
            long cost = end - now;
            // The debt is at most the last collection's cost. Unbounded, a storm of overdraft collections that
            // each took longer than the 1/4 of the interval the budget earns between them sank it as deep as
            // the storm was long, and for as long after the storm every refusal on charges that had died since
            // the last collection went without one (a soak's false refusal, 2026-12-06). During such a storm
            // collections still run no oftener than the overdraft interval allows.
            budgetNanos = Math.max(budgetNanos - cost, -cost);
            lastRefill = end;
            lastEnd = end;
            if (live < 0) {
                // The JVM would not collect: the heap in use now counts garbage, and a verdict made of it refuses
                // whoever holds the most on garbage. The last verdict stands, as when the budget is spent.
                skippedCollections++;
                return false;
            }
            verdict = new Verdict(live, largest, epoch + 1, end, linkedBefore);
            forcedCollections++;
            epoch++;
            lock.notifyAll();
            return true;
        }
    }

    /**
     * Under the lock: waits until an overdraft collection is allowed.
     *
     * @return true when this thread should collect now; false when another thread collected meanwhile
     *         or this one was interrupted (its flag kept)
     */
    private boolean awaitOverdraft(long seenEpoch) {
        long remaining;
        while (epoch == seenEpoch && (remaining = lastEnd + OVERDRAFT_INTERVAL_NANOS - System.nanoTime()) > 0) {
            try {
                lock.wait(remaining / 1_000_000, (int) (remaining % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return epoch == seenEpoch;
    }

    /**
     * One forced collection; the live heap as the collector measured it at its end or, without that
     * figure, the heap in use once references are processed (which also counts what other threads have
     * allocated since); -1 when the JVM would not collect.
     */
    private long collectAndMeasure() {
        long chargedBefore = registry.linkedBytes();
        if (!platform.collect()) {
            registry.drain();
            return -1;
        }
        long live = platform.liveHeapAfterCollection();
        long chargedDuring = registry.linkedBytes() - chargedBefore;
        awaitReferenceProcessing();
        if (live < 0) {
            return heapUsed();
        }
        if (platform.concurrentCollector()) {
            // A concurrent collector counts as live what was allocated while it ran; the tracked part of
            // that is known.
            live = Math.max(0, live - chargedDuring);
        }
        Gaps gaps = new Gaps(platform);
        registry.forEach(gaps, SCAN_MAX);
        return live + gaps.bytes;
    }

    /** The smaller of two measurements of a concurrent collector's live heap, a cycle it skipped not counting. */
    private static long minMeasured(long live, long again) {
        return again < 0 ? live : Math.min(live, again);
    }

    /** What the pinned arrays among the live charges may leave unusable beside them. */
    private static final class Gaps implements ChargeRegistry.Visitor {
        private final Platform platform;
        long bytes;

        Gaps(Platform platform) {
            this.platform = platform;
        }

        @Override
        public void visit(Charge c) {
            bytes += platform.gapBeside(c.bytes);
        }
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

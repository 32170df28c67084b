package io.heapguard.ledger;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forced collections' time budget (ledger-level behaviour is in {@link LedgerTest}). */
class ReclaimerTest {
    /** Each collection takes this long, so that the debt it leaves is far above any bookkeeping around it. */
    private static final long COLLECTION_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int OVERDRAFTS = 4;

    /**
     * A storm of refusals on accounts charged since each collection spends the budget and then collects
     * beyond it, at the overdraft interval. Charged in full, those collections sank the budget one
     * collection deeper each time (2026-12-06: a soak's storm of five minutes left a debt that outlived it, and
     * the next refusal on garbage went without a collection); the debt is now at most one collection's cost.
     */
    @Test
    void overdraftCollectionsLeaveADebtOfOneCollectionAtMost() {
        SlowCollector collector = new SlowCollector();
        // no refill: what the budget holds after the collections is exactly what they were charged
        Reclaimer reclaimer = new Reclaimer(collector, new ChargeRegistry(), 0, 1);

        assertTrue(reclaimer.reclaim(reclaimer.epoch(), false), "the budget pays for the first collection");
        assertTrue(reclaimer.budgetNanos() <= 0, "and is spent by it");
        assertFalse(reclaimer.reclaim(reclaimer.epoch(), false), "spent: no collection without an overdraft");
        for (int i = 0; i < OVERDRAFTS; i++) {
            assertTrue(reclaimer.reclaim(reclaimer.epoch(), true), "an overdraft collection runs");
        }
        assertEquals(1 + OVERDRAFTS, collector.collections);

        long debt = -reclaimer.budgetNanos();
        assertTrue(debt >= COLLECTION_NANOS, () -> "the last collection is owed: " + debt + " ns");
        assertTrue(debt < 2 * COLLECTION_NANOS,
                () -> "no more than one collection is owed, not all " + (1 + OVERDRAFTS) + ": " + debt + " ns");
    }

    /** A collector whose collections take {@link #COLLECTION_NANOS} and leave no reference to wait for. */
    private static final class SlowCollector implements Platform {
        int collections;

        @Override
        public boolean collect() {
            collections++;
            long end = System.nanoTime() + COLLECTION_NANOS;
            long left;
            while ((left = end - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left); // the collection's length, not a synchronisation
            }
            return true;
        }

        @Override
        public boolean waitForReferenceProcessing() {
            return false;
        }
    }
}

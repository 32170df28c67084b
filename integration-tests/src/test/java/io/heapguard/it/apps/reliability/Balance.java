package io.heapguard.it.apps.reliability;

import io.heapguard.ledger.Ledger;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * Brings the ledger up to date with the collector without sleeping: collect, wait until a phantom reference
 * discovered by that collection has been enqueued (the JDK's reference handler has then processed that
 * collection's references), let the ledger credit what was found, and repeat until two rounds agree.
 */
public final class Balance {
    private Balance() {
    }

    /** One collection whose references have been handed to their queues; false if that took over 10 s. */
    public static boolean collectAndAwaitReferences() throws InterruptedException {
        ReferenceQueue<Object> q = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), q);
        System.gc();
        boolean seen = q.remove(10_000) != null;
        java.lang.ref.Reference.reachabilityFence(sentinel);
        return seen;
    }

    /** The ledger's live charges once two consecutive collections leave the same count (at most 20 rounds). */
    public static long settledLiveCharges(Ledger ledger) {
        long previous = -1;
        try {
            for (int i = 0; i < 20; i++) {
                collectAndAwaitReferences();
                ledger.drain();
                long now = ledger.liveCharges();
                if (now == previous) {
                    return now;
                }
                previous = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return previous;
    }
}

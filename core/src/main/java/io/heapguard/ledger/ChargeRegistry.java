package io.heapguard.ledger;

import java.lang.ref.ReferenceQueue;

/**
 * The live charges and the queue through which the collector reports their objects gone. Drained on
 * the ledger's slow path and before any refusal; the ledger runs no thread of its own, so nothing here
 * can die or leak on its own.
 */
final class ChargeRegistry {
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final Object lock = new Object();
    private final Charge head = new Charge(null, null, Reservation.SENTINEL);
    private long live;
    private long liveBytes;

    ChargeRegistry() {
        head.next = head;
        head.prev = head;
    }

    ReferenceQueue<Object> queue() {
        return queue;
    }

    void add(Charge c) {
        synchronized (lock) {
            c.next = head.next;
            c.prev = head;
            head.next.prev = c;
            head.next = c;
            c.linked = true;
            live++;
            liveBytes += c.bytes;
        }
    }

    /** Credits every charge whose object has been collected. Cheap when the queue is empty. */
    int drain() {
        int n = 0;
        Charge c;
        while ((c = (Charge) queue.poll()) != null) {
            release(c);
            n++;
        }
        return n;
    }

    private void release(Charge c) {
        synchronized (lock) {
            if (!c.linked) {
                return;
            }
            c.linked = false;
            c.prev.next = c.next;
            c.next.prev = c.prev;
            c.prev = null;
            c.next = null;
            live--;
            liveBytes -= c.bytes;
        }
        for (Account a : c.accounts) {
            a.credit(c.bytes);
        }
    }

    long liveCharges() {
        synchronized (lock) {
            return live;
        }
    }

    long liveBytes() {
        synchronized (lock) {
            return liveBytes;
        }
    }

    /** Visits live charges under the lock; {@code max} bounds the work a refusal can cause. */
    void forEach(Visitor visitor, int max) {
        synchronized (lock) {
            int n = 0;
            for (Charge c = head.next; c != head && n < max; c = c.next, n++) {
                visitor.visit(c);
            }
        }
    }

    interface Visitor {
        void visit(Charge c);
    }
}

package io.heapguard.ledger;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.IdentityHashMap;

/**
 * The live charges and the queue through which the collector reports their objects gone. Drained on
 * the ledger's slow path and before any refusal; the ledger runs no thread of its own, so nothing here
 * can die or leak on its own.
 *
 * <p>A growth with an owner (a stream, a builder, a collection) is charged to the owner, never to the
 * large array it allocates: a reference to a humongous array stops G1 from reclaiming it eagerly when
 * it dies, so guarding would have cost a collection cycle per dead buffer. When the owner grows again,
 * its previous charge, now paying for the replaced array, is retired: it stays charged until the next
 * collection, which a weakly held sentinel on the same queue reports, and is credited then.
 */
final class ChargeRegistry {
    private static final int BUCKETS = 1 << 12;

    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final Object lock = new Object();
    private final Charge head = new Charge(null, null, Reservation.SENTINEL);
    /** Owned charges by the owner's identity hash; chains are short: owners are tracked buffers. */
    private final Charge[] byOwner = new Charge[BUCKETS];
    /** Charges retired since the current sentinel was created; credited once it is collected. */
    private Charge retired;
    private CollectionSentinel sentinel;
    private long live;
    private long liveBytes;
    /** Every byte ever charged here: what was charged while a collection ran is the difference. */
    private long linkedBytes;
    /** Charges ever linked: each charge's {@link Charge#serial}, so a verdict can leave out those taken after it. */
    private long links;
    /** Whether a forced collection's holdings are being counted: from {@link #beginCount} to {@link #endCount}. */
    private boolean counting;
    /** Charges retired while counting, through {@link Charge#nextRetiredWhileCounting}. */
    private Charge retiredWhileCounting;

    ChargeRegistry() {
        head.next = head;
        head.prev = head;
    }

    /** Reports the next collection: its referent is garbage the moment the sentinel is made. */
    private static final class CollectionSentinel extends WeakReference<Object> {
        CollectionSentinel(ReferenceQueue<Object> queue) {
            super(new Object(), queue);
        }
    }

    ReferenceQueue<Object> queue() {
        return queue;
    }

    /**
     * Adds a charge tied to {@code owner}; the owner's previous charge, if any, is retired. Both refer to
     * the owner, so whichever comes first, the owner's collection or the next collection after the
     * retirement, credits the old one.
     */
    void addOwned(Charge c, Object owner) {
        int bucket = System.identityHashCode(owner) & (BUCKETS - 1);
        synchronized (lock) {
            Charge replaced = unindexOwner(bucket, owner);
            if (replaced != null) {
                if (counting) {
                    replaced.nextRetiredWhileCounting = retiredWhileCounting;
                    retiredWhileCounting = replaced;
                }
                replaced.nextRetired = retired;
                retired = replaced;
                if (sentinel == null) {
                    sentinel = new CollectionSentinel(queue);
                }
            }
            index(c, bucket);
            link(c);
        }
    }

    private void index(Charge c, int bucket) {
        c.owned = true;
        c.bucket = bucket;
        c.nextInBucket = byOwner[bucket];
        byOwner[bucket] = c;
    }

    /**
     * Credits the charge {@code owner} holds now, at once: it gave the memory back. What it retired stays
     * until the next collection; the owner's own collection later finds nothing to credit.
     */
    void releaseOwner(Object owner) {
        takeOwned(owner);
    }

    /**
     * Credits the charge {@code owner} holds now and returns it, or null; {@link #restore} puts it back
     * (a growth that replaces it was refused).
     */
    Charge takeOwned(Object owner) {
        Charge c;
        synchronized (lock) {
            c = unindexOwner(System.identityHashCode(owner) & (BUCKETS - 1), owner);
            if (c == null || !unlink(c)) {
                return null;
            }
        }
        credit(c);
        return c;
    }

    /** Charges and links again what {@link #takeOwned} took; its owner is alive (it is growing). */
    void restore(Charge c) {
        for (Account a : c.accounts) {
            a.charge(c.bytes);
        }
        synchronized (lock) {
            index(c, c.bucket);
            link(c);
        }
    }

    /** Takes the owner's live charge out of its bucket (still linked), or null; under the lock. */
    private Charge unindexOwner(int bucket, Object owner) {
        Charge prev = null;
        for (Charge o = byOwner[bucket]; o != null; o = o.nextInBucket) {
            if (o.refersTo(owner)) {
                if (prev == null) {
                    byOwner[bucket] = o.nextInBucket;
                } else {
                    prev.nextInBucket = o.nextInBucket;
                }
                o.nextInBucket = null;
                return o;
            }
            prev = o;
        }
        return null;
    }

    void add(Charge c) {
        synchronized (lock) {
            link(c);
        }
    }

    private void link(Charge c) {
        c.serial = ++links;
        c.next = head.next;
        c.prev = head;
        head.next.prev = c;
        head.next = c;
        c.linked = true;
        live++;
        liveBytes += c.bytes;
        linkedBytes += c.bytes;
    }

    /** Credits every charge whose object has been collected. Cheap when the queue is empty. */
    int drain() {
        int n = 0;
        Reference<?> r;
        while ((r = queue.poll()) != null) {
            if (r instanceof CollectionSentinel) {
                n += releaseRetired((CollectionSentinel) r);
            } else {
                release((Charge) r);
                n++;
            }
        }
        return n;
    }

    /**
     * A collection has run since these charges were retired, so the arrays they paid for are gone (a
     * charge retired after that collection but before this drain is credited a little early).
     */
    private int releaseRetired(CollectionSentinel collected) {
        Charge batch;
        synchronized (lock) {
            if (collected != sentinel) {
                return 0;
            }
            batch = retired;
            retired = null;
            sentinel = null;
        }
        int n = 0;
        for (Charge c = batch; c != null; ) {
            Charge nextRetired = c.nextRetired;
            c.nextRetired = null;
            release(c);
            c = nextRetired;
            n++;
        }
        return n;
    }

    private void release(Charge c) {
        synchronized (lock) {
            if (!c.linked) {
                return;
            }
            if (c.owned) {
                unindex(c);
            }
            unlink(c);
        }
        credit(c);
    }

    /** Takes a charge off the live list; false if it was not on it. Under the lock. */
    private boolean unlink(Charge c) {
        if (!c.linked) {
            return false;
        }
        c.linked = false;
        c.prev.next = c.next;
        c.next.prev = c.prev;
        c.prev = null;
        c.next = null;
        live--;
        liveBytes -= c.bytes;
        return true;
    }

    private static void credit(Charge c) {
        for (Account a : c.accounts) {
            a.credit(c.bytes);
        }
    }

    /** Removes a collected owner's charge from its bucket; a retired one is already out. */
    private void unindex(Charge c) {
        Charge prev = null;
        for (Charge o = byOwner[c.bucket]; o != null; o = o.nextInBucket) {
            if (o == c) {
                if (prev == null) {
                    byOwner[c.bucket] = o.nextInBucket;
                } else {
                    prev.nextInBucket = o.nextInBucket;
                }
                o.nextInBucket = null;
                return;
            }
            prev = o;
        }
    }

    long liveCharges() {
        synchronized (lock) {
            return live;
        }
    }

    /** The serial of the last charge linked: charges after it were taken later. */
    long links() {
        synchronized (lock) {
            return links;
        }
    }

    long linkedBytes() {
        synchronized (lock) {
            return linkedBytes;
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

    /**
     * Opens the count of holdings for a forced collection about to begin: until {@link #endCount}, an owner
     * that grows keeps its replaced charge in the count, credited or not. An owner growing while the
     * collection runs links its new charge after the count's serial, which leaves it out; had the replaced
     * one gone too (the drain after that collection credits what was retired before the collection ended),
     * the thread holding the most would be found holding nothing, with its buffer in the live heap.
     *
     * @return the serial of the last charge linked: charges after it were taken after the count began
     */
    long beginCount() {
        synchronized (lock) {
            counting = true;
            return links;
        }
    }

    /** Closes the count {@link #beginCount} opened; called also when its collection did not run. */
    void endCount() {
        synchronized (lock) {
            counting = false;
            for (Charge c = retiredWhileCounting; c != null; ) {
                Charge next = c.nextRetiredWhileCounting;
                c.nextRetiredWhileCounting = null;
                c = next;
            }
            retiredWhileCounting = null;
        }
    }

    /**
     * The owner holding the most bytes among at most {@code max} live charges linked by serial {@code linkedBy},
     * counting those retired since the count began as still held; null when none. Between {@link #beginCount}
     * and {@link #endCount}.
     */
    Holding largestOwner(int max, long linkedBy) {
        Tally tally = new Tally(linkedBy);
        synchronized (lock) {
            int n = 0;
            for (Charge c = head.next; c != head && n < max; c = c.next, n++) {
                tally.add(c);
            }
            for (Charge c = retiredWhileCounting; c != null; c = c.nextRetiredWhileCounting) {
                if (!c.linked) { // still linked, the walk above has counted it
                    tally.add(c);
                }
            }
        }
        return tally.top == null ? null : new Holding(tally.top, tally.topBytes);
    }

    /** Bytes held by owner, of the charges linked by a serial. */
    private static final class Tally {
        private final IdentityHashMap<Account, long[]> byOwner = new IdentityHashMap<>();
        private final long linkedBy;
        Account top;
        long topBytes;

        Tally(long linkedBy) {
            this.linkedBy = linkedBy;
        }

        void add(Charge c) {
            if (c.owner == null || c.serial > linkedBy) {
                return; // taken after the collection began: it has not shown it survives one
            }
            long[] cell = byOwner.get(c.owner);
            if (cell == null) {
                cell = new long[1];
                byOwner.put(c.owner, cell);
            }
            cell[0] += c.bytes;
            if (cell[0] > topBytes) {
                topBytes = cell[0];
                top = c.owner;
            }
        }
    }

    /** An owner and the bytes it holds. */
    static final class Holding {
        final Account owner;
        final long bytes;

        Holding(Account owner, long bytes) {
            this.owner = owner;
            this.bytes = bytes;
        }
    }

    interface Visitor {
        void visit(Charge c);
    }
}

package io.heapguard.ledger;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * Bytes charged to a set of accounts, tied to the object they paid for. Credited when the garbage
 * collector finds the object unreachable and the reference is drained from the ledger's queue.
 */
final class Charge extends PhantomReference<Object> {
    final GrowthPoint point;
    final long bytes;
    final Account[] accounts;
    final Account owner;
    /** Where the charge was taken, captured raw and resolved to a frame only when a refusal asks. */
    final Throwable site;
    private String siteName;

    // Intrusive list links, guarded by the registry's lock: keeps the reference itself reachable.
    Charge prev;
    Charge next;
    boolean linked;
    /** The registry's count of charges when this one was linked, guarded by the registry's lock. */
    long serial;
    /** Tied to the object owning the memory (a stream, a builder) rather than to the memory itself. */
    boolean owned;
    /** The owner-index bucket (the owner's identity hash), for removal once the owner is gone. */
    int bucket;
    /** Next charge in the same owner-index bucket, guarded by the registry's lock. */
    Charge nextInBucket;
    /** Next charge retired in the same collection epoch, guarded by the registry's lock. */
    Charge nextRetired;
    /** Next charge retired while a forced collection's holdings are counted, guarded by the registry's lock. */
    Charge nextRetiredWhileCounting;

    Charge(Object referent, ReferenceQueue<Object> queue, Reservation r) {
        super(referent, queue);
        this.point = r.point;
        this.bytes = r.bytes;
        this.accounts = r.accounts;
        this.owner = r.owner;
        this.site = r.site;
    }

    boolean chargedTo(Account account) {
        for (Account a : accounts) {
            if (a == account) {
                return true;
            }
        }
        return false;
    }

    /** The call site as {@code Class.method(File.java:12)}, or the point and thread when not captured. */
    String siteName() {
        String s = siteName;
        if (s == null) {
            StackTraceElement frame = site == null ? null : CallSites.callSite(site.getStackTrace(), point);
            s = frame != null ? frame.toString() : point.targetName() + " on " + owner.name();
            siteName = s;
        }
        return s;
    }
}

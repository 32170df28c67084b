package io.heapguard.ledger;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Bytes held against one quota: a rule, a scope, the global limit, or a thread (which has no limit and
 * is kept for attribution). The limit is not stored here: it belongs to the immutable {@link Policy} in
 * force, so a live change swaps the policy and every check reads one consistent set of limits.
 *
 * <p>All counters are exact under concurrency: {@code used} moves only by CAS, so two threads can never
 * both be granted when together they would exceed the limit they checked.
 */
public final class Account {
    private static final VarHandle USED;
    private static final VarHandle PEAK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            USED = l.findVarHandle(Account.class, "used", long.class);
            PEAK = l.findVarHandle(Account.class, "peak", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private String name;
    /** For a thread's own account: named only when shown (building a name allocates, see ThreadState). */
    private final Thread thread;
    private volatile long used;
    private volatile long peak;
    private volatile long grants;
    /** The collection epoch of the last charge against a limit: charges since then may be garbage. */
    private volatile long lastChargeEpoch = -1;
    private volatile long denials;
    private static final VarHandle GRANTS;
    private static final VarHandle DENIALS;
    private static final VarHandle LAST_CHARGE_EPOCH;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            GRANTS = l.findVarHandle(Account.class, "grants", long.class);
            DENIALS = l.findVarHandle(Account.class, "denials", long.class);
            LAST_CHARGE_EPOCH = l.findVarHandle(Account.class, "lastChargeEpoch", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public Account(String name) {
        this.name = name;
        this.thread = null;
    }

    /** A thread's account: creating it allocates nothing but itself. */
    Account(Thread thread) {
        this.thread = thread;
    }

    public String name() {
        String n = name;
        if (n == null) {
            n = "thread " + thread.getName() + " (#" + thread.getId() + ")";
            name = n;
        }
        return n;
    }

    /**
     * Adds {@code bytes} unless that would take {@code used} above {@code limit}.
     *
     * @param limit the limit in force, or a negative value for none
     * @return false, changing nothing, when the charge would exceed the limit
     */
    public boolean tryCharge(long bytes, long limit) {
        long u;
        long next;
        do {
            u = used;
            next = u + bytes;
            if (limit >= 0 && next > limit) {
                return false;
            }
        } while (!USED.weakCompareAndSet(this, u, next));
        raisePeak(next);
        return true;
    }

    /** Adds {@code bytes} whatever the limit: monitor mode, and accounts that have none. */
    public void charge(long bytes) {
        long next = (long) USED.getAndAdd(this, bytes) + bytes;
        raisePeak(next);
    }

    public void credit(long bytes) {
        USED.getAndAdd(this, -bytes);
    }

    private void raisePeak(long value) {
        long p;
        while (value > (p = peak)) {
            if (PEAK.weakCompareAndSet(this, p, value)) {
                return;
            }
        }
    }

    public long used() {
        return used;
    }

    public long peak() {
        return peak;
    }

    /** Starts a new peak from what is held now. */
    public void resetPeak() {
        peak = used;
        raisePeak(used); // a charge racing the reset must not leave the peak below what is held
    }

    /**
     * Records a charge made in collection {@code epoch}. Never moves back: a thread that read an older
     * epoch and writes it last would hide a newer charge, and a refusal with the budget spent would then
     * skip the collection that charge may need.
     */
    void markCharged(long epoch) {
        long e;
        while (epoch > (e = lastChargeEpoch) && !LAST_CHARGE_EPOCH.weakCompareAndSet(this, e, epoch)) {
            // another thread marked meanwhile: look again
        }
    }

    long lastChargeEpoch() {
        return lastChargeEpoch;
    }

    void countGrant() {
        GRANTS.getAndAdd(this, 1L);
    }

    void countDenial() {
        DENIALS.getAndAdd(this, 1L);
    }

    public long grants() {
        return grants;
    }

    public long denials() {
        return denials;
    }

    @Override
    public String toString() {
        return name() + "[used=" + used + "]";
    }
}

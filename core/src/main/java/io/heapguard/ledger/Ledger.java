package io.heapguard.ledger;

import io.heapguard.QuotaExceededException;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;

import java.util.List;
import java.util.Map;

/**
 * The one place that decides. Given a growth point, the current and requested size, it checks every
 * quota that applies, in the contract's order (each matching rule's {@code max-buffer}, each matching
 * rule's live limit, each open scope, the global limit, the heap reserve), and either charges every
 * account involved or refuses having charged nothing: a refusal by a later check backs out the earlier
 * charges.
 *
 * <p>Read {@link #decide} first. The jobs it hands out each live in a class of their own: the accounts'
 * compare-and-set charging ({@link Account}, {@link PendingCharges}), the heap reserve ({@link HeapReserve},
 * which forces collections through the {@link Reclaimer}), what follows a refusal ({@link Refusals}), the
 * charges' life after a grant ({@link Reservation}, {@link ChargeRegistry}) and the operator's live settings
 * ({@link LiveControl}), each swapping in an immutable {@link Policy}.
 *
 * <p>The caller's class is resolved only when a rule needs it; a refusal's details (stack, top
 * consumers) only once a refusal is certain. Charges are tied to the objects they paid for and credited
 * when those are collected, through a queue drained here on the slow path, never on a thread of ours.
 */
public final class Ledger {
    /** Charges at least this large capture where they were taken, for a refusal's top consumers. */
    static final long ATTRIBUTION_MIN = 1L << 20;

    private static volatile Ledger current;

    private final ChargeRegistry registry = new ChargeRegistry();
    private final Account global = new Account("global");
    private final long maxHeap = Runtime.getRuntime().maxMemory();
    private final Reclaimer reclaimer;
    private final HeapReserve heapReserve;
    private final Refusals refusals;
    private final LiveControl control;
    private volatile Policy policy;
    private volatile GrowthListener growthListener;

    private Ledger(HeapGuardConfig config, Platform platform) {
        this(config, platform, Reclaimer.BUDGET_SHARE, Reclaimer.BUDGET_CAP_NANOS);
    }

    private Ledger(HeapGuardConfig config, Platform platform, double budgetShare, long budgetCapNanos) {
        this.reclaimer = new Reclaimer(platform, registry, budgetShare, budgetCapNanos);
        this.heapReserve = new HeapReserve(platform, reclaimer, maxHeap);
        this.refusals = new Refusals(registry, config.logMaxPerMinute());
        this.policy = Policy.from(config, Map.of());
        this.control = new LiveControl(this, refusals, config, maxHeap);
    }

    /** Installs the process-wide ledger and opens the hooks' slow path. Once per JVM. */
    public static synchronized Ledger install(HeapGuardConfig config, Platform platform) {
        if (current != null) {
            throw new IllegalStateException("heapguard's ledger is already installed");
        }
        Ledger ledger = new Ledger(config, platform);
        current = ledger;
        FastLimit.publish(ledger.policy.fastLimit);
        return ledger;
    }

    /** The installed ledger, or null when the agent is not running. */
    public static Ledger current() {
        return current;
    }

    /** A ledger that is not installed: for tests and benchmarks of the ledger alone. */
    public static Ledger standalone(HeapGuardConfig config, Platform platform) {
        return new Ledger(config, platform);
    }

    /**
     * A standalone ledger whose forced collections are paid from another budget: {@code budgetShare} 0
     * and a cap of one nanosecond allow one collection and spend the budget for good.
     */
    static Ledger standalone(HeapGuardConfig config, Platform platform, double budgetShare, long budgetCapNanos) {
        return new Ledger(config, platform, budgetShare, budgetCapNanos);
    }

    /** Entry from the hooks once a request is past the fast path. */
    public static Reservation reserveOrNull(GrowthPoint point, long currentBytes, long requestedBytes) {
        Ledger l = current;
        return l == null ? null : l.reserve(point, point.onHeap(), currentBytes, requestedBytes);
    }

    /**
     * As {@link #reserveOrNull(GrowthPoint, long, long)} for a point whose memory is on the heap or off it
     * buffer by buffer (Netty's): {@code onHeap} decides whether {@code heap.reserve} applies.
     */
    public static Reservation reserveOrNull(GrowthPoint point, boolean onHeap, long currentBytes,
                                            long requestedBytes) {
        Ledger l = current;
        return l == null ? null : l.reserve(point, onHeap, currentBytes, requestedBytes);
    }

    /**
     * A growth of a buffer that frees or pools the memory it replaces itself (Netty's): checked and charged
     * as the new size alone, to {@code owner}. The owner's previous charge is credited first and put back if
     * the growth is refused, so a limit is not asked for the old and the new size together, which such a
     * buffer holds only while it copies (a {@code CompositeByteBuf}, which copies nothing, not even then).
     *
     * @throws io.heapguard.QuotaExceededException in enforce mode, when a quota would be broken
     */
    public static void reserveReplacing(GrowthPoint point, boolean onHeap, Object owner, long currentBytes,
                                        long requestedBytes) {
        Ledger l = current;
        if (l == null) {
            return;
        }
        Charge previous = l.registry.takeOwned(owner);
        Reservation r;
        try {
            r = l.reserve(point, onHeap, currentBytes, requestedBytes);
        } catch (RuntimeException | Error e) {
            if (previous != null) {
                l.registry.restore(previous);
            }
            throw e;
        }
        if (r != null) {
            r.bindOwner(owner);
        }
    }

    /**
     * Credits at once what is charged to {@code owner} (not what it retired): the owner gave its memory back
     * (a Netty buffer released to its pool or freed). A later collection of the owner credits nothing again.
     */
    public static void releaseOwner(Object owner) {
        Ledger l = current;
        if (l != null) {
            l.registry.releaseOwner(owner);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The decision

    /**
     * Decides about one growth.
     *
     * @return null when nothing was charged (below {@code track.min}, or a growth the ledger itself
     *         caused), otherwise the reservation to bind to the new object or abandon
     * @throws QuotaExceededException in enforce mode, when a quota would be broken; nothing is charged
     */
    public Reservation reserve(GrowthPoint point, long currentBytes, long requestedBytes) {
        return reserve(point, point.onHeap(), currentBytes, requestedBytes);
    }

    /** As {@link #reserve(GrowthPoint, long, long)}; {@code onHeap}: whether {@code heap.reserve} applies. */
    public Reservation reserve(GrowthPoint point, boolean onHeap, long currentBytes, long requestedBytes) {
        Policy p = policy;
        if (p.mode == Mode.OFF) {
            return null;
        }
        ThreadState ts = ThreadState.current();
        if (ts.inLedger) {
            return null;
        }
        ts.inLedger = true;
        try {
            return decide(p, ts, point, onHeap, currentBytes, requestedBytes);
        } finally {
            ts.inLedger = false;
        }
    }

    private Reservation decide(Policy p, ThreadState ts, GrowthPoint point, boolean onHeap, long current,
                               long requested) {
        Policy.Rule[] rules = matchingRules(p.rulesByPoint[point.ordinal()], point);
        PendingCharges charges = ts.charges;
        charges.start(requested);

        for (Policy.Rule r : rules) {
            if (r.maxBuffer >= 0 && requested > r.maxBuffer) {
                refuse(p, charges, point, r.name, true, r.maxBuffer, current, r.account);
            }
        }
        if (requested < p.trackMin) {
            return null;
        }
        registry.drain();

        for (Policy.Rule r : rules) {
            charge(p, charges, point, r.account, r.limit);
        }
        for (int i = 0; i < ts.scopeDepth(); i++) {
            Scope s = ts.scope(i);
            if (!s.isClosed()) {
                charge(p, charges, point, s.account, s.limit());
            }
        }
        charge(p, charges, point, global, p.globalLimit);
        if (onHeap && p.heapReserve > 0) {
            long used = heapReserve.check(ts, current, requested, p.heapReserve);
            if (used != HeapReserve.GRANTED) {
                refuse(p, charges, point, Refusals.HEAP_RESERVE, false, p.heapReserve, used, null);
            }
        }
        byte placementOwed = HeapReserve.placementOwed(ts);
        try {
            return granted(point, ts, charges, rules, current, requested, placementOwed);
        } catch (RuntimeException | Error e) {
            heapReserve.placementDone(placementOwed); // no reservation will settle with the placement gate
            throw e;
        }
    }

    private Reservation granted(GrowthPoint point, ThreadState ts, PendingCharges charges, Policy.Rule[] rules,
                                long current, long requested, byte placementOwed) {
        ts.owner.charge(requested);
        charges.add(ts.owner);

        for (Policy.Rule r : rules) {
            r.account.countGrant();
        }
        GrowthListener gl = growthListener;
        if (gl != null) {
            try {
                gl.granted(point, current, requested);
            } catch (RuntimeException | LinkageError e) {
                // An event stream must not fail a growth it was only told about.
            }
        }
        Throwable site = requested >= ATTRIBUTION_MIN ? new Throwable() : null;
        return new Reservation(this, point, requested, charges.take(), ts.owner, site, placementOwed);
    }

    /** Charges {@code account} within {@code limit}, or refuses; in monitor mode a refused charge is made anyway. */
    private void charge(Policy p, PendingCharges charges, GrowthPoint point, Account account, long limit) {
        long bytes = charges.bytes();
        if (!chargeWithin(account, bytes, limit)) {
            refuse(p, charges, point, account.name(), false, limit, account.used(), account);
            account.charge(bytes); // monitor mode: the growth goes ahead and is counted
        }
        account.markCharged(reclaimer.epoch()); // either way a charge since the collection, which may be garbage
        charges.add(account);
    }

    /** Charges within the limit, first crediting what the collector has found, then collecting. */
    private boolean chargeWithin(Account account, long bytes, long limit) {
        long epoch = reclaimer.epoch();
        return account.tryCharge(bytes, limit)
                || registry.drain() > 0 && account.tryCharge(bytes, limit)
                || reclaimer.reclaim(epoch, account.lastChargeEpoch() == epoch) && account.tryCharge(bytes, limit);
    }

    /**
     * A quota refuses this decision's growth: in enforce mode what the decision charged is backed out and
     * the refusal thrown; in monitor mode it is reported and this returns, and the growth goes ahead.
     */
    private void refuse(Policy p, PendingCharges charges, GrowthPoint point, String rule, boolean perBuffer,
                        long limit, long used, Account account) {
        boolean enforced = p.mode == Mode.ENFORCE;
        if (enforced) {
            charges.backOut();
        }
        QuotaExceededException refusal =
                refusals.report(enforced, rule, perBuffer, point, charges.bytes(), limit, used, account);
        if (refusal != null) {
            throw refusal;
        }
    }

    /** The candidates whose {@code callers} match; the stack is walked only if one has callers. */
    private static Policy.Rule[] matchingRules(Policy.Rule[] candidates, GrowthPoint point) {
        boolean needsCaller = false;
        for (Policy.Rule r : candidates) {
            needsCaller |= r.needsCaller();
        }
        if (!needsCaller) {
            return candidates;
        }
        String caller = CallSites.callerClass(point);
        int n = 0;
        for (Policy.Rule r : candidates) {
            if (r.matchesCaller(caller)) {
                n++;
            }
        }
        Policy.Rule[] matching = new Policy.Rule[n];
        n = 0;
        for (Policy.Rule r : candidates) {
            if (r.matchesCaller(caller)) {
                matching[n++] = r;
            }
        }
        return matching;
    }

    // ---------------------------------------------------------------------------------------------
    // Scopes

    /** Opens a scope on the current thread; every tracked growth until it closes is charged to it too. */
    public Scope openScope(String name, long limitBytes) {
        Scope s = new Scope(name, limitBytes);
        ThreadState.current().push(s);
        return s;
    }

    public void closeScope(Scope scope) {
        ThreadState.current().remove(scope);
        scope.close();
    }

    /** The scopes open on this thread, outermost first. */
    public Scope[] currentScopes() {
        return ThreadState.current().snapshot();
    }

    /** Pushes {@code scopes} (from another thread) for the duration of a task; returns how many. */
    public int enterScopes(Scope[] scopes) {
        ThreadState ts = ThreadState.current();
        for (Scope s : scopes) {
            ts.push(s);
        }
        return scopes.length;
    }

    public void exitScopes(Scope[] scopes) {
        ThreadState ts = ThreadState.current();
        for (int i = scopes.length - 1; i >= 0; i--) {
            ts.remove(scopes[i]);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Visibility

    /** The operator's live settings: mode, limits, the heap reserve, reload. */
    public LiveControl control() {
        return control;
    }

    public void addRefusalListener(RefusalListener listener) {
        refusals.addListener(listener);
    }

    /** Replaces the one growth listener (null for none). */
    public void setGrowthListener(GrowthListener listener) {
        growthListener = listener;
    }

    /** Credits what the collector has found; JMX reads call it so figures are fresh while idle. */
    public void drain() {
        registry.drain();
    }

    /** The call sites holding the most tracked memory now, largest first, e.g. {@code 3.0 MiB at a.B.c(B.java:4)}. */
    public List<String> topConsumers() {
        return refusals.topConsumers(null);
    }

    public Account global() {
        return global;
    }

    /** Refusals of every kind, enforced or monitored. */
    public long denials() {
        return refusals.denials();
    }

    public long heapReserveDenials() {
        return refusals.heapReserveDenials();
    }

    /** Monitor-mode log lines dropped by {@code log.max-per-minute}. */
    public long suppressedLogLines() {
        return refusals.suppressedLogLines();
    }

    public long maxHeapBytes() {
        return maxHeap;
    }

    public long liveCharges() {
        return registry.liveCharges();
    }

    public long forcedCollections() {
        return reclaimer.forcedCollections();
    }

    /**
     * What is left of the forced collections' time budget, in nanoseconds: with none left, a refusal
     * collects first only when its account was charged since the last collection, at most four times a
     * second (for tests; a storm spends it, and it refills at a quarter of wall time).
     */
    public long collectionBudgetNanos() {
        return reclaimer.budgetNanos();
    }

    /** Collections asked for before a refusal that the JVM would not run (for tests). */
    long skippedCollections() {
        return reclaimer.skippedCollections();
    }

    /** Whether the calling thread holds the heap reserve's placement gate (for tests). */
    boolean holdsPlacementGate() {
        return heapReserve.holdsPlacementGate();
    }

    /**
     * The allocation a reservation was for is done, or will not happen: settles what it owed the placement gate
     * ({@link PlacementGate#HOLDS} or {@link PlacementGate#PASSED}).
     */
    void placementDone(byte owed) {
        heapReserve.placementDone(owed);
    }

    ChargeRegistry registry() {
        return registry;
    }

    Policy policy() {
        return policy;
    }

    /** Swaps in {@code next} whole; called by {@link LiveControl} under its lock. */
    void setPolicy(Policy next) {
        policy = next;
        if (current == this) {
            FastLimit.publish(next.fastLimit);
        }
    }
}

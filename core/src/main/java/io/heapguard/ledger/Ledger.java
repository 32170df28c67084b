package io.heapguard.ledger;

import io.heapguard.QuotaExceededException;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.config.RuleConfig;
import io.heapguard.internal.Units;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place that decides. Given a growth point, the current and requested size, it checks every
 * quota that applies, in the contract's order (each matching rule's {@code max-buffer}, each matching
 * rule's live limit, each open scope, the global limit, the heap reserve), and either charges every
 * account involved or refuses having charged nothing: a refusal by a later check backs out the earlier
 * charges.
 *
 * <p>The caller's class is resolved only when a rule needs it; a refusal's details (stack, top
 * consumers) only once a refusal is certain. Charges are tied to the objects they paid for and credited
 * when those are collected, through a queue drained here on the slow path, never on a thread of ours.
 */
public final class Ledger {
    /** Charges at least this large capture where they were taken, for a refusal's top consumers. */
    static final long ATTRIBUTION_MIN = 1L << 20;
    private static final int TOP_CONSUMERS = 3;
    private static final int TOP_CONSUMERS_SCAN_MAX = 100_000;
    /** Growths of at least 1/16 of the heap are checked against where the collector must place them. */
    private static final long PLACEMENT_SHARE = 16;

    private static volatile Ledger current;

    private final ChargeRegistry registry = new ChargeRegistry();
    private final Account global = new Account("global");
    private final Reclaimer reclaimer;
    private final Platform platform;
    private final long maxHeap = Runtime.getRuntime().maxMemory();
    private final AtomicLong denials = new AtomicLong();
    private final AtomicLong heapReserveDenials = new AtomicLong();
    private volatile RateLimiter logLimiter;
    private final AtomicLong suppressedBeforeReloads = new AtomicLong();
    private final Object policyLock = new Object();
    private volatile Policy policy;
    private volatile HeapGuardConfig config;
    private volatile RefusalListener[] listeners = new RefusalListener[0];
    private volatile GrowthListener growthListener;
    private volatile System.Logger logger;

    private Ledger(HeapGuardConfig config, Platform platform) {
        this(config, platform, Reclaimer.BUDGET_SHARE, Reclaimer.BUDGET_CAP_NANOS);
    }

    private Ledger(HeapGuardConfig config, Platform platform, double budgetShare, long budgetCapNanos) {
        this.config = config;
        this.platform = platform;
        this.reclaimer = new Reclaimer(platform, registry, budgetShare, budgetCapNanos);
        this.logLimiter = new RateLimiter(config.logMaxPerMinute(), 60_000_000_000L);
        setPolicy(Policy.from(config, Map.of()));
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

    /** Whether the code asking for memory now is Netty's (see {@code GrowthHooks.allocateDirect}). */
    public static boolean calledByNetty() {
        return CallSites.calledByNetty();
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

        for (Policy.Rule r : rules) {
            if (r.maxBuffer >= 0 && requested > r.maxBuffer) {
                refuse(p, r.name, true, point, requested, r.maxBuffer, current, r.account, null, 0, 0);
            }
        }
        if (requested < p.trackMin) {
            return null;
        }
        registry.drain();

        int scopes = ts.scopeDepth();
        Account[] charged = new Account[rules.length + scopes + 2];
        int n = 0;
        for (Policy.Rule r : rules) {
            if (!chargeWithin(r.account, requested, r.limit)) {
                refuse(p, r.name, false, point, requested, r.limit, r.account.used(), r.account, charged, n, requested);
                r.account.charge(requested); // monitor mode: the growth goes ahead and is counted
            }
            charged[n++] = r.account;
        }
        for (int i = 0; i < scopes; i++) {
            Scope s = ts.scope(i);
            if (s.isClosed()) {
                continue;
            }
            if (!chargeWithin(s.account, requested, s.limit())) {
                refuse(p, s.account.name(), false, point, requested, s.limit(), s.account.used(), s.account, charged,
                        n, requested);
                s.account.charge(requested);
            }
            charged[n++] = s.account;
        }
        if (!chargeWithin(global, requested, p.globalLimit)) {
            refuse(p, "global", false, point, requested, p.globalLimit, global.used(), global, charged, n, requested);
            global.charge(requested);
        }
        charged[n++] = global;
        if (onHeap && p.heapReserve > 0) {
            checkHeapReserve(p, ts, point, current, requested, charged, n);
        }
        ts.owner.charge(requested);
        charged[n++] = ts.owner;
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
        return new Reservation(this, point, requested, n == charged.length ? charged : Arrays.copyOf(charged, n),
                ts.owner, site);
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

    /** Charges within the limit, first crediting what the collector has found, then collecting. */
    private boolean chargeWithin(Account account, long bytes, long limit) {
        long epoch = reclaimer.epoch();
        if (account.tryCharge(bytes, limit)
                || registry.drain() > 0 && account.tryCharge(bytes, limit)
                || reclaimer.reclaim(epoch, account.lastChargeEpoch() == epoch) && account.tryCharge(bytes, limit)) {
            account.markCharged(reclaimer.epoch());
            return true;
        }
        return false;
    }

    /**
     * The heap reserve refuses only the thread that the last collection found holding the most (or a
     * single growth larger than all it holds), and only while that collection showed the heap really
     * that full: innocent threads keep working in the reserve, without waiting for a collection, while
     * the one that fills the heap is stopped. Holdings are counted after a collection, so garbage an
     * innocent thread churned through never makes it look like the culprit.
     *
     * <p>A growth of at least 1/{@link #PLACEMENT_SHARE} of the heap must also have room where the collector
     * must put it ({@link Platform#placementRoom}). One that a collection proved has none is refused whoever
     * asks: the alternative is an OutOfMemoryError in the same thread, after the collector has tried hard.
     */
    private void checkHeapReserve(Policy p, ThreadState ts, GrowthPoint point, long current, long requested,
                                  Account[] charged, int n) {
        boolean large = requested >= maxHeap / PLACEMENT_SHARE;
        long capacity = platform.heapCapacity();
        long room = capacity - p.heapReserve; // what live data may fill
        long used = reclaimer.heapUsed();
        boolean placeable = !large || platform.placementRoom(requested, current, used, false) >= requested;
        if (placeable && used + requested <= room) {
            return; // fits even counting the garbage
        }
        Reclaimer.Verdict v = reclaimer.verdict();
        if (placeable && v != null && platform.concurrentCollector() && v.isRecent()
                && refusingLive(v, ts.owner, requested, room) < 0) {
            // ZGC and Shenandoah let the heap fill with garbage before they collect, so the heap in use says
            // little, and two forced cycles cost much (and promote what they find): a recent collection's
            // figure plus what the suspect took since decides instead.
            return;
        }
        if (v == null || !placeable || v.incriminates(ts.owner, requested)) {
            reclaimer.reclaim(reclaimer.epoch(), false); // the first verdict, or a fresh one about the suspect
            v = reclaimer.verdict();
        }
        if (!placeable) {
            long placement = platform.placementRoom(requested, current, reclaimer.heapUsed(), true);
            if (placement < requested) {
                heapReserveDenials.incrementAndGet();
                refuse(p, "heap-reserve", false, point, requested, p.heapReserve, Math.max(0, maxHeap - placement),
                        null, charged, n, requested);
                return; // monitor mode
            }
        }
        long live = refusingLive(v, ts.owner, requested, room);
        if (live >= 0 && live != v.liveHeap) {
            // Only what the suspect took since that collection tips it, and that may be garbage: refusing on
            // garbage is a false refusal, so a collection confirms it (beyond the budget, rate-limited).
            reclaimer.reclaim(v.epoch, true);
            v = reclaimer.verdict();
            live = refusingLive(v, ts.owner, requested, room);
        }
        if (live < 0) {
            return;
        }
        heapReserveDenials.incrementAndGet();
        refuse(p, "heap-reserve", false, point, requested, p.heapReserve, live + maxHeap - capacity, null,
                charged, n, requested);
    }

    /**
     * The live heap on which {@code v} refuses this growth ({@code room} is what live data may fill), or -1
     * when it grants it: there is no verdict, the asker is not its suspect, or the growth fits.
     */
    private static long refusingLive(Reclaimer.Verdict v, Account owner, long requested, long room) {
        if (v == null || !v.incriminates(owner, requested)) {
            return -1;
        }
        long live = v.liveHeapFor(owner);
        return live + requested <= room ? -1 : live;
    }

    /**
     * Reports a refusal; in enforce mode backs out what this decision charged and throws. In monitor
     * mode it returns and the growth goes ahead.
     */
    private void refuse(Policy p, String rule, boolean perBuffer, GrowthPoint point, long requested, long limit,
                        long used, Account account, Account[] charged, int n, long chargedBytes) {
        boolean enforced = p.mode == Mode.ENFORCE;
        if (enforced) {
            for (int i = 0; i < n; i++) {
                charged[i].credit(chargedBytes);
            }
        }
        denials.incrementAndGet();
        if (account != null) {
            account.countDenial();
        }
        StackTraceElement[] trace = CallSites.trimHeapguardFrames(new Throwable().getStackTrace());
        StackTraceElement site = CallSites.callSite(trace, point);
        List<String> top = perBuffer ? List.of() : topConsumers(account);
        Refusal refusal = new Refusal(rule, perBuffer, point, requested, limit, used, site, trace, top, enforced,
                Thread.currentThread().getName());
        for (RefusalListener l : listeners) {
            try {
                l.refused(refusal);
            } catch (RuntimeException | LinkageError e) {
                // A listener must not turn a refusal into a different failure.
            }
        }
        if (enforced) {
            throw new QuotaExceededException(rule, perBuffer, point.targetName(), requested, limit, used, site, top,
                    trace);
        }
        logWouldRefuse(refusal);
    }

    private void logWouldRefuse(Refusal r) {
        long dropped = logLimiter.tryAcquire();
        if (dropped < 0) {
            return;
        }
        System.Logger log = logger;
        if (log == null) {
            log = System.getLogger("io.heapguard");
            logger = log;
        }
        String what = r.perBuffer() ? "max-buffer" : "limit";
        String rule = r.rule().equals("heap-reserve") || r.rule().equals("global") || r.rule().startsWith("scope:")
                ? r.rule() : "rule '" + r.rule() + "' " + what;
        String line = "heapguard monitor: would refuse " + r.point().targetName() + " " + Units.bytes(r.requested())
                + " at " + r.callSite() + " on thread " + r.thread() + ": " + rule + " " + Units.bytes(r.limit())
                + ", used " + Units.bytes(r.used())
                + (dropped > 0 ? " (" + dropped + " similar lines suppressed)" : "");
        log.log(System.Logger.Level.WARNING, line);
    }

    /** The call sites holding the most tracked memory now, largest first, e.g. {@code 3.0 MiB at a.B.c(B.java:4)}. */
    public List<String> topConsumers() {
        return topConsumers(null);
    }

    /** The call sites holding the most of {@code account} (all tracked memory when null), largest first. */
    private List<String> topConsumers(Account account) {
        ConsumersBySite sites = new ConsumersBySite(account);
        registry.forEach(sites, TOP_CONSUMERS_SCAN_MAX);
        return sites.top(TOP_CONSUMERS);
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
    // Live control and visibility

    ChargeRegistry registry() {
        return registry;
    }

    public void addRefusalListener(RefusalListener listener) {
        synchronized (policyLock) {
            RefusalListener[] next = Arrays.copyOf(listeners, listeners.length + 1);
            next[next.length - 1] = listener;
            listeners = next;
        }
    }

    /** Replaces the one growth listener (null for none). */
    public void setGrowthListener(GrowthListener listener) {
        growthListener = listener;
    }

    /** Credits what the collector has found; JMX reads call it so figures are fresh while idle. */
    public void drain() {
        registry.drain();
    }

    public HeapGuardConfig config() {
        return config;
    }

    public Mode mode() {
        return policy.mode;
    }

    public void setMode(Mode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("Mode must be one of enforce, monitor, off");
        }
        synchronized (policyLock) {
            setPolicy(policy.withMode(mode));
        }
    }

    public long heapReserveBytes() {
        return policy.heapReserve;
    }

    public void setHeapReserveBytes(long bytes) {
        if (bytes < 0 || bytes > maxHeap) {
            throw new IllegalArgumentException("HeapReserveBytes must be between 0 and the maximum heap ("
                    + maxHeap + "), was " + bytes);
        }
        synchronized (policyLock) {
            setPolicy(policy.withHeapReserve(bytes));
        }
    }

    public Account global() {
        return global;
    }

    public long globalLimitBytes() {
        return policy.globalLimit;
    }

    public void setGlobalLimitBytes(long bytes) {
        checkLimit("LimitBytes", bytes);
        synchronized (policyLock) {
            setPolicy(policy.withGlobalLimit(bytes));
        }
    }

    /** Rule names in force, sorted. */
    public List<String> ruleNames() {
        Policy p = policy;
        List<String> names = new ArrayList<>(p.rules.length);
        for (Policy.Rule r : p.rules) {
            names.add(r.name);
        }
        return names;
    }

    /** The rule's account, or null when no rule has that name (any more). */
    public Account ruleAccount(String name) {
        Policy.Rule r = policy.rule(name);
        return r == null ? null : r.account;
    }

    public long ruleLimitBytes(String name) {
        return requireRule(policy, name).limit;
    }

    public long ruleMaxBufferBytes(String name) {
        return requireRule(policy, name).maxBuffer;
    }

    public void setRuleLimitBytes(String name, long bytes) {
        checkLimit("LimitBytes", bytes);
        synchronized (policyLock) {
            Policy.Rule r = requireRule(policy, name);
            setPolicy(policy.withRuleLimits(name, r.maxBuffer, bytes));
        }
    }

    public void setRuleMaxBufferBytes(String name, long bytes) {
        checkLimit("MaxBufferBytes", bytes);
        synchronized (policyLock) {
            Policy.Rule r = requireRule(policy, name);
            setPolicy(policy.withRuleLimits(name, bytes, r.limit));
        }
    }

    /**
     * Swaps in a reloaded configuration whole. Accounts of rules that stay keep what they hold.
     *
     * @return the names of rules added and removed, as {@code [added, removed]}
     */
    public List<List<String>> reload(HeapGuardConfig next) {
        synchronized (policyLock) {
            Policy old = policy;
            Map<String, Account> accounts = new HashMap<>();
            for (Policy.Rule r : old.rules) {
                accounts.put(r.name, r.account);
            }
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>(accounts.keySet());
            for (RuleConfig rc : next.rules()) {
                if (!removed.remove(rc.name())) {
                    added.add(rc.name());
                }
            }
            java.util.Collections.sort(removed);
            if (next.logMaxPerMinute() != config.logMaxPerMinute()) {
                RateLimiter previous = logLimiter;
                logLimiter = new RateLimiter(next.logMaxPerMinute(), 60_000_000_000L);
                suppressedBeforeReloads.addAndGet(previous.droppedTotal());
            }
            config = next;
            setPolicy(Policy.from(next, accounts));
            return List.of(List.copyOf(added), List.copyOf(removed));
        }
    }

    /** Refusals of every kind, enforced or monitored. */
    public long denials() {
        return denials.get();
    }

    public long heapReserveDenials() {
        return heapReserveDenials.get();
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

    /** Monitor-mode log lines dropped by {@code log.max-per-minute}. */
    public long suppressedLogLines() {
        return suppressedBeforeReloads.get() + logLimiter.droppedTotal();
    }

    private void setPolicy(Policy next) {
        policy = next;
        if (current == this) {
            FastLimit.publish(next.fastLimit);
        }
    }

    private static Policy.Rule requireRule(Policy p, String name) {
        Policy.Rule r = p.rule(name);
        if (r == null) {
            throw new IllegalArgumentException("no rule named '" + name + "'");
        }
        return r;
    }

    private static void checkLimit(String attribute, long bytes) {
        if (bytes < -1) {
            throw new IllegalArgumentException(attribute + " must be -1 (none) or at least 0, was " + bytes);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Attribution, computed only on the refusal path

    private static final class ConsumersBySite implements ChargeRegistry.Visitor {
        private final Account account;
        private final Map<String, long[]> bySite = new LinkedHashMap<>();

        ConsumersBySite(Account account) {
            this.account = account;
        }

        @Override
        public void visit(Charge c) {
            if (account == null || c.chargedTo(account)) {
                long[] cell = bySite.get(c.siteName());
                if (cell == null) {
                    cell = new long[1];
                    bySite.put(c.siteName(), cell);
                }
                cell[0] += c.bytes;
            }
        }

        List<String> top(int count) {
            List<Map.Entry<String, long[]>> entries = new ArrayList<>(bySite.entrySet());
            entries.sort(BY_BYTES_DESCENDING);
            List<String> top = new ArrayList<>(Math.min(count, entries.size()));
            for (int i = 0; i < entries.size() && i < count; i++) {
                top.add(Units.bytes(entries.get(i).getValue()[0]) + " at " + entries.get(i).getKey());
            }
            return top;
        }

        private static final java.util.Comparator<Map.Entry<String, long[]>> BY_BYTES_DESCENDING =
                new java.util.Comparator<Map.Entry<String, long[]>>() {
                    @Override
                    public int compare(Map.Entry<String, long[]> a, Map.Entry<String, long[]> b) {
                        return Long.compare(b.getValue()[0], a.getValue()[0]);
                    }
                };
    }
}

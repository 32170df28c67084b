package io.heapguard.ledger;

import io.heapguard.QuotaExceededException;
import io.heapguard.internal.Units;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What follows a refusal once the ledger has decided it: the details (stack, call site, top consumers)
 * are gathered here and only here, listeners are told, and the caller gets the exception to throw in
 * enforce mode or one rate-limited log line is written in monitor mode. Nothing here decides anything.
 */
final class Refusals {
    /** The rule name a refusal by the heap reserve carries. */
    static final String HEAP_RESERVE = "heap-reserve";
    private static final int TOP_CONSUMERS = 3;
    private static final int TOP_CONSUMERS_SCAN_MAX = 100_000;
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final ChargeRegistry registry;
    private final AtomicLong denials = new AtomicLong();
    private final AtomicLong heapReserveDenials = new AtomicLong();
    private final AtomicLong suppressedBeforeReloads = new AtomicLong();
    private volatile RateLimiter logLimiter;
    private volatile RefusalListener[] listeners = new RefusalListener[0];
    private volatile System.Logger logger;

    Refusals(ChargeRegistry registry, int logMaxPerMinute) {
        this.registry = registry;
        this.logLimiter = new RateLimiter(logMaxPerMinute, MINUTE_NANOS);
    }

    /**
     * Reports a refusal of {@code requested} bytes at {@code point} by {@code rule} ({@code account}: the
     * account refused, null for the heap reserve).
     *
     * @return in enforce mode the exception for the caller to throw; in monitor mode null, after logging
     */
    QuotaExceededException report(boolean enforced, String rule, boolean perBuffer, GrowthPoint point,
                                  long requested, long limit, long used, Account account) {
        denials.incrementAndGet();
        if (account != null) {
            account.countDenial();
        } else if (HEAP_RESERVE.equals(rule)) {
            heapReserveDenials.incrementAndGet();
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
            return new QuotaExceededException(rule, perBuffer, point.targetName(), requested, limit, used, site, top,
                    trace);
        }
        logWouldRefuse(refusal);
        return null;
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
        String rule = r.rule().equals(HEAP_RESERVE) || r.rule().equals("global") || r.rule().startsWith("scope:")
                ? r.rule() : "rule '" + r.rule() + "' " + what;
        String line = "heapguard monitor: would refuse " + r.point().targetName() + " " + Units.bytes(r.requested())
                + " at " + r.callSite() + " on thread " + r.thread() + ": " + rule + " " + Units.bytes(r.limit())
                + ", used " + Units.bytes(r.used())
                + (dropped > 0 ? " (" + dropped + " similar lines suppressed)" : "");
        log.log(System.Logger.Level.WARNING, line);
    }

    synchronized void addListener(RefusalListener listener) {
        RefusalListener[] next = Arrays.copyOf(listeners, listeners.length + 1);
        next[next.length - 1] = listener;
        listeners = next;
    }

    /** A reload changed {@code log.max-per-minute}: what the old limiter dropped stays counted. */
    synchronized void setLogMaxPerMinute(int perMinute) {
        RateLimiter previous = logLimiter;
        logLimiter = new RateLimiter(perMinute, MINUTE_NANOS);
        suppressedBeforeReloads.addAndGet(previous.droppedTotal());
    }

    long denials() {
        return denials.get();
    }

    long heapReserveDenials() {
        return heapReserveDenials.get();
    }

    long suppressedLogLines() {
        return suppressedBeforeReloads.get() + logLimiter.droppedTotal();
    }

    /** The call sites holding the most of {@code account} (all tracked memory when null), largest first. */
    List<String> topConsumers(Account account) {
        ConsumersBySite sites = new ConsumersBySite(account);
        registry.forEach(sites, TOP_CONSUMERS_SCAN_MAX);
        return sites.top(TOP_CONSUMERS);
    }

    private static final class ConsumersBySite implements ChargeRegistry.Visitor {
        private static final Comparator<Map.Entry<String, long[]>> BY_BYTES_DESCENDING =
                new Comparator<Map.Entry<String, long[]>>() {
                    @Override
                    public int compare(Map.Entry<String, long[]> a, Map.Entry<String, long[]> b) {
                        return Long.compare(b.getValue()[0], a.getValue()[0]);
                    }
                };

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
    }
}

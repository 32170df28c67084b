package io.heapguard.it.apps.reliability;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.QuotaScope;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.ledger.Account;
import io.heapguard.ledger.Ledger;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.heapguard.it.apps.Report.KiB;
import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Issue #8, item 4. Run with the agent and the rules {@code upload} (ByteArrayOutputStream from this package,
 * max-buffer 8m, limit 48m), {@code bufs} (ByteBuffer.allocate, limit 32m), {@code direct}
 * (ByteBuffer.allocateDirect, limit 40m, above -XX:MaxDirectMemorySize=32m so the JDK refuses too) and
 * {@code global.limit=96m}. For {@code args[0]} ms, {@code args[1]} threads mix growths, copies, heap and
 * direct buffers, nested scopes, refusals of every kind and the JDK's own direct-memory errors, keeping a few
 * objects for a random while; a control thread meanwhile changes limits, mode and reloads live (what JMX
 * writes do), and a sampler watches that no account ever goes negative. Then every thread keeps a known set,
 * the rest becomes garbage, and after collections each ledger must hold exactly the baseline plus that set;
 * once that is dropped too, exactly the baseline.
 */
public final class BalanceApp {
    static volatile boolean stop;
    static final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        long millis = Long.parseLong(args[0]);
        int workers = Integer.parseInt(args[1]);
        Ledger ledger = Ledger.current();
        HeapGuardConfig original = ledger.control().config();
        List<String> rules = ledger.control().ruleNames();
        result("rules", rules);

        Snapshot baseline = Snapshot.settle(ledger, rules, null);
        baseline.print("baseline");

        // the sampler: the smallest value each account ever shows
        Map<String, Long> minimum = new ConcurrentHashMap<>();
        Thread sampler = new Thread(() -> {
            while (!stop) {
                sample(minimum, "global", ledger.global());
                for (String r : rules) {
                    Account a = ledger.control().ruleAccount(r);
                    if (a != null) {
                        sample(minimum, r, a);
                    }
                }
                Thread.onSpinWait();
            }
        }, "sampler");
        sampler.setDaemon(true);

        // live changes, paced: limits, max-buffer, global limit, mode, reload of the same configuration
        AtomicLong changes = new AtomicLong();
        Thread control = new Thread(() -> {
            SplittableRandom rnd = new SplittableRandom(7);
            while (!stop) {
                switch (rnd.nextInt(6)) {
                    case 0:
                        ledger.control().setRuleLimitBytes("upload", (16 + rnd.nextInt(64)) * (long) MiB);
                        break;
                    case 1:
                        ledger.control().setRuleMaxBufferBytes("upload", rnd.nextBoolean() ? -1 : (1 + rnd.nextInt(12)) * (long) MiB);
                        break;
                    case 2:
                        ledger.control().setGlobalLimitBytes(rnd.nextBoolean() ? -1 : (32 + rnd.nextInt(96)) * (long) MiB);
                        break;
                    case 3:
                        ledger.control().setMode(rnd.nextInt(4) == 0 ? Mode.MONITOR : Mode.ENFORCE);
                        break;
                    case 4:
                        ledger.control().reload(original);
                        break;
                    default:
                        ledger.control().setRuleLimitBytes("bufs", (4 + rnd.nextInt(48)) * (long) MiB);
                }
                changes.incrementAndGet();
                LockSupport.parkNanos(2_000_000L);
            }
        }, "control");
        control.setDaemon(true);

        List<Worker> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            threads.add(new Worker(i));
        }
        sampler.start();
        control.start();
        threads.forEach(Thread::start);
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end && !stop) {
            LockSupport.parkNanos(50_000_000L); // the run's length, not a synchronisation
        }
        stop = true;
        for (Thread t : threads) {
            t.join(30_000);
        }
        control.join(10_000);
        sampler.join(10_000);
        ledger.control().reload(original);
        ledger.control().setMode(Mode.ENFORCE);
        ledger.control().setGlobalLimitBytes(original.globalLimitBytes());
        result("live-changes", changes.get());
        result("outcomes", new TreeMap<>(outcomes));
        result("minimum", new TreeMap<>(minimum));
        long negative = 0;
        for (long m : minimum.values()) {
            negative += m < 0 ? 1 : 0;
        }
        result("negative-accounts", negative);

        // every worker's objects are garbage now: nothing is live, so a buffer far inside every limit must be
        // granted. The ledger collects before it refuses; with its collection budget spent, only for an account
        // charged since the last collection, which a storm's end need not leave. So the probe waits for the
        // budget the storm spent, a debt of at most one collection's cost: bounded, and reported.
        for (Worker w : threads) {
            w.kept.clear();
        }
        long waitStart = System.nanoTime();
        long waitDeadline = waitStart + 10_000_000_000L;
        result("garbage.budget-at-end-ms", ledger.collectionBudgetNanos() / 1_000_000);
        while (ledger.collectionBudgetNanos() <= 0 && System.nanoTime() < waitDeadline) {
            LockSupport.parkNanos(5_000_000L); // polls a condition, bounded by the deadline
        }
        result("garbage.budget-wait-ms", (System.nanoTime() - waitStart) / 1_000_000);
        result("garbage.budget-back", ledger.collectionBudgetNanos() > 0);
        long forcedBefore = ledger.forcedCollections();
        try {
            ByteBuffer probe = ByteBuffer.allocate(MiB);
            result("garbage.refused", probe.capacity() == MiB ? 0 : 1);
        } catch (QuotaExceededException e) {
            result("garbage.refused", 1);
            result("garbage.refusal", e.getMessage().replace('\n', ' '));
        }
        result("garbage.forced-collections", ledger.forcedCollections() - forcedBefore);

        // what each keeps is known exactly; taken with the limits lifted, so that uncollected garbage cannot
        // refuse it (balance, not refusal, is checked here)
        ledger.control().setGlobalLimitBytes(-1);
        for (String rule : rules) {
            ledger.control().setRuleLimitBytes(rule, -1);
            ledger.control().setRuleMaxBufferBytes(rule, -1);
        }
        Expected kept = new Expected();
        List<Object> keep = new ArrayList<>();
        for (Worker w : threads) {
            w.keepKnownSet(keep, kept);
        }
        QuotaScope scope = HeapGuard.scope("final", 64L * MiB);
        List<ByteBuffer> inScope = new ArrayList<>();
        inScope.add(ByteBuffer.allocate(MiB));
        inScope.add(ByteBuffer.allocate(MiB));
        kept.add("bufs", 2L * MiB, 2);
        threads.clear();
        ledger.control().reload(original); // the original limits again; accounts carry what they hold

        Snapshot held = Snapshot.settle(ledger, rules, baseline.plus(kept));
        held.print("held");
        result("held.expected", baseline.plus(kept));
        result("held.scope-used", scope.usedBytes());
        result("held.keep-size", keep.size() + inScope.size());

        keep.clear();
        inScope.clear();
        Snapshot released = Snapshot.settle(ledger, rules, baseline.plus(new Expected()));
        released.print("released");
        result("released.scope-used", scope.usedBytes());
        scope.close();
        result("done", true);
    }

    private static void sample(Map<String, Long> minimum, String name, Account a) {
        long used = a.used();
        Long m = minimum.get(name);
        if (m == null || used < m) {
            minimum.put(name, used);
        }
    }

    static void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
    }

    /** Bytes each account must hold, and the number of live charges. */
    static final class Expected {
        final Map<String, Long> map = new TreeMap<>();

        void add(String account, long bytes, long charges) {
            map.merge(account, bytes, Long::sum);
            map.merge("global", bytes, Long::sum);
            map.merge("charges", charges, Long::sum);
        }
    }

    /** What the ledger holds once it agrees with the collector. */
    static final class Snapshot {
        final Map<String, Long> map = new TreeMap<>();

        static Snapshot settle(Ledger ledger, List<String> rules, Map<String, Long> target) throws InterruptedException {
            Snapshot s = null;
            for (int round = 0; round < 30; round++) {
                Balance.collectAndAwaitReferences();
                ledger.drain();
                Snapshot next = new Snapshot();
                next.map.put("global", ledger.global().used());
                for (String r : rules) {
                    next.map.put(r, ledger.control().ruleAccount(r).used());
                }
                next.map.put("charges", ledger.liveCharges());
                long heap = heapTracked(ledger);
                if (heap != Long.MIN_VALUE) {
                    next.map.put("heap-tracked", heap);
                }
                if (target == null ? s != null && s.map.equals(next.map) : next.map.equals(target)) {
                    next.map.put("rounds", (long) round + 1);
                    return next;
                }
                s = next;
            }
            s.map.put("rounds", -1L);
            return s;
        }

        Map<String, Long> plus(Expected e) {
            Map<String, Long> m = new TreeMap<>(map);
            m.remove("rounds");
            e.map.forEach((k, v) -> m.merge(k, v, Long::sum));
            if (m.containsKey("heap-tracked")) { // every tracked on-heap byte: all but the direct buffers
                m.put("heap-tracked", map.get("heap-tracked") + e.map.getOrDefault("global", 0L)
                        - e.map.getOrDefault("direct", 0L));
            }
            return m;
        }

        /**
         * The ledger's private total of tracked on-heap bytes (what its live-heap estimate rests on), read
         * reflectively when the field exists; {@code Long.MIN_VALUE} otherwise.
         */
        static long heapTracked(Ledger ledger) {
            try {
                java.lang.reflect.Field f = Ledger.class.getDeclaredField("heapTracked");
                f.setAccessible(true);
                return ((Account) f.get(ledger)).used();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return Long.MIN_VALUE;
            }
        }

        void print(String prefix) {
            Map<String, Long> m = new TreeMap<>(map);
            result(prefix + ".rounds", m.remove("rounds"));
            result(prefix, m);
        }
    }

    static final class Worker extends Thread {
        final List<Object> kept = new ArrayList<>();
        final SplittableRandom rnd;
        final byte[] chunk = new byte[64 * KiB];

        Worker(int i) {
            super("worker-" + i);
            rnd = new SplittableRandom(1000 + i);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    step();
                } catch (QuotaExceededException e) {
                    count("refused." + (e.rule().startsWith("scope:") ? "scope" : e.rule()));
                } catch (OutOfMemoryError e) {
                    count("oome." + (String.valueOf(e.getMessage()).contains("direct") ? "direct" : "heap"));
                }
                if (kept.size() > 6) {
                    kept.remove(rnd.nextInt(kept.size())); // garbage at a random moment
                }
            }
        }

        private void step() {
            switch (rnd.nextInt(5)) {
                case 0:
                    baos(rnd.nextInt(12 * MiB));
                    break;
                case 1:
                    keepMaybe(ByteBuffer.allocate(64 * KiB + rnd.nextInt(6 * MiB)), 2);
                    count("granted.bufs");
                    break;
                case 2:
                    keepMaybe(ByteBuffer.allocateDirect(64 * KiB + rnd.nextInt(8 * MiB)), 3);
                    count("granted.direct");
                    break;
                case 3:
                    try (QuotaScope s = HeapGuard.scope("req", (1 + rnd.nextInt(16)) * (long) MiB)) {
                        baos(rnd.nextInt(8 * MiB));
                        if (rnd.nextBoolean()) {
                            try (QuotaScope inner = HeapGuard.scope("inner", (1 + rnd.nextInt(8)) * (long) MiB)) {
                                keepMaybe(ByteBuffer.allocate(64 * KiB + rnd.nextInt(4 * MiB)), 2);
                            }
                        }
                    }
                    break;
                default:
                    baos(64 * KiB + rnd.nextInt(MiB)); // small, frequent
            }
        }

        private void baos(int size) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int w = 0; w < size; w += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, size - w));
            }
            if (rnd.nextBoolean()) {
                keepMaybe(out.toByteArray(), 1);
            } else if (rnd.nextBoolean()) {
                keepMaybe(out, 2);
            }
            count("granted.upload");
        }

        private void keepMaybe(Object o, int oneIn) {
            if (rnd.nextInt(oneIn) == 0) {
                kept.add(o);
            }
        }

        /** What this worker keeps at the end: sizes chosen so that every charge is known exactly. */
        void keepKnownSet(List<Object> keep, Expected e) {
            keep.add(ByteBuffer.allocate(MiB));
            keep.add(ByteBuffer.allocate(3 * MiB / 2));
            e.add("bufs", MiB + 3 * MiB / 2, 2);
            keep.add(ByteBuffer.allocateDirect(2 * MiB));
            e.add("direct", 2L * MiB, 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream(MiB); // below track.min, then one growth
            out.write(new byte[MiB + 1], 0, MiB + 1);                    // grows to exactly 2 MiB: charged
            keep.add(out.toByteArray());                                 // a copy of MiB + 1: charged
            keep.add(out);
            e.add("upload", 2L * MiB + MiB + 1, 2);
        }
    }
}

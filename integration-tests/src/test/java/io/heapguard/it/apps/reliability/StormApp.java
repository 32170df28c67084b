package io.heapguard.it.apps.reliability;

import io.heapguard.QuotaExceededException;
import io.heapguard.config.Mode;
import io.heapguard.ledger.Ledger;
import io.heapguard.it.apps.reliability.storm.StormCalls;

import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.heapguard.it.apps.Report.KiB;
import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Issue #8, item 3: a refusal storm. Run with the agent and the rules
 * {@code cap} (ByteArrayOutputStream from {@code ...reliability.storm.*}, max-buffer 128k) and {@code pool}
 * (ByteBuffer.allocate from the same callers, limit 16m). A holder fills {@code pool}; then, for {@code args[0]}
 * milliseconds, {@code args[1]} threads make as many refusals as they can, half of them per-buffer ({@code cap}),
 * half live-limit ({@code pool}, the path that may force a collection). Meanwhile a heartbeat thread measures
 * how late a 1 ms park wakes up, and a worker does ordinary tracked work (256 KiB buffers) that must never be
 * refused. Then the same storm in monitor mode (switched live, as a JMX write does) for {@code args[2]} ms: the
 * log must stay within {@code log.max-per-minute}. Then {@code args[3]} short-lived threads each refuse and take
 * a tracked buffer. Before and after, the heap after a collection and the ledger's live charges.
 */
public final class StormApp {
    static volatile boolean stop;
    static final AtomicLong capRefusals = new AtomicLong();
    static final AtomicLong poolRefusals = new AtomicLong();
    static final AtomicLong wouldBe = new AtomicLong();
    static final AtomicLong unexpected = new AtomicLong();

    public static void main(String[] args) throws Exception {
        long enforceMillis = Long.parseLong(args[0]);
        int stormers = Integer.parseInt(args[1]);
        long monitorMillis = Long.parseLong(args[2]);
        int churnThreads = Integer.parseInt(args[3]);
        Ledger ledger = Ledger.current();
        result("agent", ledger != null);

        // JMX notifications, counted per second of arrival
        boolean mbeans = MBeans.awaitRegistered(MBeans.AGENT, 20_000);
        result("mbeans", mbeans);
        ConcurrentHashMap<Long, AtomicLong> perSecond = new ConcurrentHashMap<>();
        AtomicLong notifications = new AtomicLong();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName agent = MBeans.name(MBeans.AGENT);
        NotificationListener listener = (Notification n, Object hb) -> {
            if ("io.heapguard.denied".equals(n.getType())) {
                notifications.incrementAndGet();
                perSecond.computeIfAbsent(System.nanoTime() / 1_000_000_000L, k -> new AtomicLong()).incrementAndGet();
            }
        };
        if (mbeans) {
            server.addNotificationListener(agent, listener, null, null);
        }

        // the holder fills the pool rule
        List<ByteBuffer> pool = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pool.add(StormCalls.allocate(4 * MiB));
        }
        warmUp();
        Footprint before = Footprint.take(ledger);
        result("before.heap-after-gc-kib", before.heapAfterGc / KiB);
        result("before.live-charges", before.liveCharges);

        // enforce storm
        ForcedCollections forced = new ForcedCollections();
        stop = false;
        Heartbeat heartbeat = new Heartbeat();
        heartbeat.start();
        Worker worker = new Worker();
        worker.start();
        long forcedBefore = ledger.forcedCollections();
        long[] maxLiveCharges = {0};
        long start = System.nanoTime();
        runStorm(stormers, enforceMillis, ledger, maxLiveCharges);
        double seconds = (System.nanoTime() - start) / 1e9;
        forced.close();
        result("enforce.forced-gc-ms", forced.millis.get());
        result("enforce.forced-gc-count", forced.count.get());
        long refusals = capRefusals.get() + poolRefusals.get();
        result("enforce.seconds", String.format(java.util.Locale.ROOT, "%.1f", seconds));
        result("enforce.cap-refusals", capRefusals.get());
        result("enforce.pool-refusals", poolRefusals.get());
        result("enforce.refusals-per-second", (long) (refusals / seconds));
        result("enforce.pool-refusals-per-second", (long) (poolRefusals.get() / seconds));
        result("enforce.forced-collections", ledger.forcedCollections() - forcedBefore);
        result("enforce.max-live-charges", maxLiveCharges[0]);
        result("enforce.unexpected", unexpected.get());
        heartbeat.report("enforce");
        worker.report("enforce");

        // notifications
        if (mbeans) {
            long maxInASecond = 0;
            for (AtomicLong c : perSecond.values()) {
                maxInASecond = Math.max(maxInASecond, c.get());
            }
            result("notify.received", notifications.get());
            result("notify.max-in-one-second", maxInASecond);
            result("notify.dropped", server.getAttribute(agent, "DroppedNotifications"));
            result("notify.denials", server.getAttribute(agent, "Denials"));
            server.removeNotificationListener(agent, listener);
        }

        // monitor storm: would-be refusals are granted and logged, at most log.max-per-minute
        ledger.control().setMode(Mode.MONITOR);
        long suppressedBefore = ledger.suppressedLogLines();
        long deniedBefore = ledger.denials();
        stop = false;
        heartbeat = new Heartbeat();
        heartbeat.start();
        worker = new Worker();
        worker.start();
        runStorm(stormers, monitorMillis, ledger, maxLiveCharges);
        result("monitor.would-be-refusals", ledger.denials() - deniedBefore);
        result("monitor.suppressed-log-lines", ledger.suppressedLogLines() - suppressedBefore);
        result("monitor.unexpected", unexpected.get());
        heartbeat.report("monitor");
        worker.report("monitor");
        // Their latencies (a long per sample: megabytes in the soak) are the test's, not the agent's.
        heartbeat = null;
        worker = null;
        perSecond.clear();
        ledger.control().setMode(Mode.ENFORCE);

        // short-lived threads: each refuses a few times and takes one tracked buffer, then dies
        long churnRefusals = churn(churnThreads);
        result("churn.threads", churnThreads);
        result("churn.refusals", churnRefusals);

        pool.clear();
        for (int i = 0; i < 4; i++) {
            pool.add(StormCalls.allocate(4 * MiB)); // the same holding as before
        }
        Footprint after = Footprint.take(ledger);
        result("after.heap-after-gc-kib", after.heapAfterGc / KiB);
        result("after.live-charges", after.liveCharges);
        result("growth.heap-after-gc-kib", (after.heapAfterGc - before.heapAfterGc) / KiB);
        result("growth.live-charges", after.liveCharges - before.liveCharges);
        result("pool.held", pool.size());
        result("done", true);
    }

    private static void runStorm(int stormers, long millis, Ledger ledger, long[] maxLiveCharges) throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < stormers; i++) {
            boolean cap = i % 2 == 0;
            Thread t = new Thread(() -> storm(cap), "stormer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long end = System.nanoTime() + millis * 1_000_000L;
        // the main thread samples the ledger's own footprint meanwhile (paced, not synchronising anything)
        while (System.nanoTime() < end) {
            maxLiveCharges[0] = Math.max(maxLiveCharges[0], ledger.liveCharges());
            LockSupport.parkNanos(10_000_000L);
        }
        stop = true;
        for (Thread t : threads) {
            t.join(30_000);
            if (t.isAlive()) {
                result("stuck", t.getName());
            }
        }
    }

    private static void storm(boolean cap) {
        byte[] over = new byte[200 * KiB];
        while (!stop) {
            try {
                if (cap) {
                    ByteArrayOutputStream out = StormCalls.overCap(over);
                    if (Ledger.current().control().mode() == Mode.ENFORCE) {
                        unexpected.incrementAndGet(); // granted in enforce mode
                    } else if (out.size() == over.length) {
                        wouldBe.incrementAndGet();
                    }
                } else {
                    ByteBuffer b = StormCalls.allocate(MiB);
                    if (Ledger.current().control().mode() == Mode.ENFORCE) {
                        unexpected.incrementAndGet();
                    } else if (b.capacity() == MiB) {
                        wouldBe.incrementAndGet();
                    }
                }
            } catch (QuotaExceededException e) {
                (cap ? capRefusals : poolRefusals).incrementAndGet();
                if (!e.rule().equals(cap ? "cap" : "pool")) {
                    unexpected.incrementAndGet();
                }
            }
        }
    }

    private static long churn(int n) throws InterruptedException {
        AtomicLong refused = new AtomicLong();
        byte[] over = new byte[200 * KiB];
        byte[] fits = new byte[100 * KiB];
        for (int i = 0; i < n; i += 4) {
            Thread[] batch = new Thread[Math.min(4, n - i)];
            for (int j = 0; j < batch.length; j++) {
                batch[j] = new Thread(() -> {
                    for (int k = 0; k < 5; k++) {
                        try {
                            StormCalls.overCap(over);
                        } catch (QuotaExceededException e) {
                            refused.incrementAndGet();
                        }
                    }
                    StormCalls.write(fits); // a tracked, granted buffer charged to this thread, then garbage
                }, "churn-" + (i + j));
                batch[j].start();
            }
            for (Thread t : batch) {
                t.join(10_000);
            }
        }
        return refused.get();
    }

    private static void warmUp() {
        byte[] over = new byte[200 * KiB];
        for (int i = 0; i < 2000; i++) {
            try {
                StormCalls.overCap(over);
            } catch (QuotaExceededException expected) {
                // warms the refusal path up
            }
        }
    }

    /** Time spent in collections whose cause is {@code System.gc()}: during the storm, only heapguard's. */
    static final class ForcedCollections implements NotificationListener {
        final AtomicLong millis = new AtomicLong();
        final AtomicLong count = new AtomicLong();
        private final List<java.lang.management.GarbageCollectorMXBean> beans =
                ManagementFactory.getGarbageCollectorMXBeans();

        ForcedCollections() {
            for (java.lang.management.GarbageCollectorMXBean gc : beans) {
                ((javax.management.NotificationEmitter) gc).addNotificationListener(this, null, null);
            }
        }

        @Override
        public void handleNotification(Notification n, Object handback) {
            if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management.GarbageCollectionNotificationInfo
                    .from((javax.management.openmbean.CompositeData) n.getUserData());
            if ("System.gc()".equals(info.getGcCause()) && !info.getGcAction().contains("minor")) {
                millis.addAndGet(info.getGcInfo().getDuration());
                count.incrementAndGet();
            }
        }

        void close() throws Exception {
            for (java.lang.management.GarbageCollectorMXBean gc : beans) {
                ((javax.management.NotificationEmitter) gc).removeNotificationListener(this);
            }
        }
    }

    /** The heap after a full collection, and the ledger's live charges once it has credited what was found. */
    static final class Footprint {
        long heapAfterGc;
        long liveCharges;

        static Footprint take(Ledger ledger) {
            Footprint f = new Footprint();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) { // the smallest of three: a collection may race the last allocations
                System.gc();
                long used = 0;
                for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                    MemoryUsage u = p.getType() == MemoryType.HEAP ? p.getCollectionUsage() : null;
                    if (u != null) {
                        used += u.getUsed();
                    }
                }
                best = Math.min(best, used);
            }
            f.heapAfterGc = best;
            f.liveCharges = Balance.settledLiveCharges(ledger);
            return f;
        }
    }

    /** How late a 1 ms park wakes up: what any thread of the application would feel. */
    static final class Heartbeat extends Thread {
        final Latencies lateness = new Latencies();

        Heartbeat() {
            super("heartbeat");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                long t0 = System.nanoTime();
                LockSupport.parkNanos(1_000_000L);
                lateness.add(Math.max(0, System.nanoTime() - t0 - 1_000_000L));
            }
        }

        void report(String p) throws InterruptedException {
            join(10_000);
            result(p + ".heartbeat.samples", lateness.count());
            result(p + ".heartbeat.p99-ms", Latencies.ms(lateness.quantileMillis(0.99)));
            result(p + ".heartbeat.max-ms", Latencies.ms(lateness.maxMillis()));
        }
    }

    /** Ordinary requests: a 256 KiB buffer (tracked: above track.min, not from the storm's callers). */
    static final class Worker extends Thread {
        final Latencies latencies = new Latencies();
        long failures;
        long sink;

        Worker() {
            super("worker");
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] chunk = new byte[16 * KiB];
            while (!stop) {
                long t0 = System.nanoTime();
                try {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (int i = 0; i < 16; i++) {
                        out.write(chunk, 0, chunk.length);
                    }
                    sink += out.toByteArray().length;
                } catch (Throwable t) {
                    failures++;
                }
                latencies.add(System.nanoTime() - t0);
            }
        }

        void report(String p) throws InterruptedException {
            join(10_000);
            result(p + ".worker.requests", latencies.count());
            result(p + ".worker.failures", failures);
            result(p + ".worker.p99-ms", Latencies.ms(latencies.quantileMillis(0.99)));
            result(p + ".worker.max-ms", Latencies.ms(latencies.maxMillis()));
        }
    }
}

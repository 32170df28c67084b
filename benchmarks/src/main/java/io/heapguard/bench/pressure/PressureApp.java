package io.heapguard.bench.pressure;

import javax.management.MBeanServer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The open-loop pressure benchmark's target: ordinary requests at a fixed rate ({@link Innocents}) and oversized
 * ones at fixed times ({@link Oversized}) in one JVM, measured the same with and without heapguard's agent. It
 * names no heapguard class (refusals are told by class name, heapguard's counters read through JMX by name), so
 * it runs bare with nothing of heapguard on the class path. Run it under {@code -Xmx256m}, without
 * {@code -XX:+ExitOnOutOfMemoryError}: the OutOfMemoryErrors are what it counts.
 *
 * <p>Prints {@code pressure.<key>=<value>} lines, the last {@code pressure.done=true}; latencies of the measured
 * window run from each request's due time. Options: {@code -seconds -warmup -rate -workers -hog-period-ms
 * -live-mib -retain-ms -drain-seconds} ({@link Plan}).
 */
public final class PressureApp {
    /** After the last request is taken, how long one already running may still take before it counts as lost. */
    static final int GRACE_SECONDS = 5;
    /** At most this many oversized requests at once; one due while all are busy starts late, and says so. */
    private static final int OVERSIZED_THREADS = 4;
    static final long LATE_START_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int LIVE_PIECE = 64 << 10;

    private PressureApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        Plan plan;
        try {
            plan = Plan.from(Options.parse(args, Plan.OPTIONS));
        } catch (IllegalArgumentException e) {
            System.err.println("pressure: " + e.getMessage());
            System.exit(2);
            return;
        }
        run(plan);
    }

    static void run(Plan plan) throws InterruptedException {
        boolean agent = JvmFigures.agentOnCommandLine();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer(); // created in both runs alike
        long maxHeap = Runtime.getRuntime().maxMemory();
        byte[][] live = new byte[plan.liveMiB() * ((1 << 20) / LIVE_PIECE)][LIVE_PIECE];

        int warmup = plan.warmupRequests();
        int total = warmup + plan.measuredRequests();
        Innocents innocents = new Innocents(total, plan.retainedResponses());
        Oversized oversized = new Oversized(plan.oversizedRequests(), 2 * maxHeap);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long windowStart = start + TimeUnit.SECONDS.toNanos(plan.warmup());
        long windowEnd = windowStart + TimeUnit.SECONDS.toNanos(plan.seconds());
        long stopTaking = windowEnd + TimeUnit.SECONDS.toNanos(plan.drainSeconds());
        long period = TimeUnit.MILLISECONDS.toNanos(plan.hogPeriodMillis());
        OpenLoop requests = new OpenLoop("request", plan.workers(), start, 1e9 / plan.rate(), total, stopTaking,
                innocents::serve);
        OpenLoop uploads = new OpenLoop("oversized", OVERSIZED_THREADS, windowStart + period / 2, period,
                plan.oversizedRequests(), stopTaking, oversized::grow);

        requests.start();
        boolean mbean = agent && JvmFigures.awaitAgentMBean(server,
                Math.max(0, TimeUnit.NANOSECONDS.toMillis(windowStart - System.nanoTime())));
        OpenLoop.parkUntil(windowStart);
        JvmFigures before = JvmFigures.read(server, mbean);
        uploads.start();
        long grace = stopTaking + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
        boolean requestsEnded = requests.await(grace);
        boolean uploadsEnded = uploads.await(grace);
        JvmFigures during = JvmFigures.read(server, mbean).since(before);
        Reference.reachabilityFence(live);

        Innocents.Summary s = innocents.summarise(warmup, total);
        result("jdk", System.getProperty("java.version"));
        result("gc", collectors());
        result("agent", agent);
        result("heapguard.mbean", mbean);
        result("max-heap-mib", maxHeap >> 20);
        result("innocents.scheduled", s.scheduled());
        result("innocents.served", s.count(Innocents.SERVED));
        result("innocents.lost", s.lost());
        result("innocents.refused", s.count(Innocents.REFUSED));
        result("innocents.oome", s.count(Innocents.OUT_OF_MEMORY));
        result("innocents.other", s.count(Innocents.OTHER_FAILURE));
        result("innocents.unfinished", s.count(Innocents.NOT_DONE));
        result("latency.p50-ms", millis(s.percentileMillis(50)));
        result("latency.p99-ms", millis(s.percentileMillis(99)));
        result("latency.p999-ms", millis(s.percentileMillis(99.9)));
        result("latency.max-ms", millis(s.maxMillis()));
        result("gc.pauses", during.collections());
        result("gc.pause-ms", during.collectionMillis());
        result("gc.full", during.fullCollections());
        result("heapguard.forced-collections", during.forcedCollections());
        result("heapguard.denials", during.denials());
        result("oversized.scheduled", oversized.scheduled());
        result("oversized.refused", oversized.count(Innocents.REFUSED));
        result("oversized.oome", oversized.count(Innocents.OUT_OF_MEMORY));
        result("oversized.other", oversized.count(Innocents.OTHER_FAILURE));
        result("oversized.unfinished", oversized.count(Innocents.NOT_DONE));
        result("oversized.late-starts", oversized.startedLaterThan(LATE_START_NANOS));
        result("oversized.max-start-lag-ms", millis(oversized.maxStartLagMillis()));
        result("oversized.largest-mib", oversized.largestReached() >> 20);
        result("threads.ended", requestsEnded && uploadsEnded);
        result("done", true);
    }

    private static String collectors() {
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.add(gc.getName());
        }
        return String.join("+", names);
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.2f", ms);
    }

    private static void result(String key, Object value) {
        System.out.println("pressure." + key + "=" + value);
    }
}

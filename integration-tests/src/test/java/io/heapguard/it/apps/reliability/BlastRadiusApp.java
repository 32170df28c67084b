package io.heapguard.it.apps.reliability;

import java.io.ByteArrayOutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Issue #8, item 1: several innocent threads build 1-2 MiB responses in a loop (a {@code ByteArrayOutputStream}
 * written in 8 KiB chunks, then {@code toByteArray()}) while one hog
 * <ol>
 * <li>phase 1: grows one {@code ByteArrayOutputStream} without bound (1 MiB writes), again and again;</li>
 * <li>phase 2: keeps an ever-growing list of 4 MiB arrays, each built through a {@code ByteArrayOutputStream}
 * and {@code toByteArray()}; once refused (or out of memory) it keeps what it holds and retries.</li>
 * </ol>
 * Runs the same with and without the agent (it never names a heapguard class). Arguments: innocent threads,
 * phase 1 and phase 2 durations in milliseconds. Prints, per phase, the innocents' completed requests,
 * refusals, OutOfMemoryErrors and other failures, their p50/p99/max latency, and what happened to the hog.
 */
public final class BlastRadiusApp {
    private static final int CHUNK = 8 * 1024;
    private static final int PHASES = 3; // 0 warm-up (innocents alone), 1 and 2 as above
    private static final String[] NAMES = {"warmup", "p1", "p2"};

    static volatile int phase;
    static volatile boolean stop;

    /** One innocent thread's counts, per phase. */
    static final class Innocent extends Thread {
        final Latencies[] latencies = {new Latencies(), new Latencies(), new Latencies()};
        final long[] ok = new long[PHASES];
        final long[] refused = new long[PHASES];
        final long[] oome = new long[PHASES];
        final long[] other = new long[PHASES];
        volatile String firstFailure;
        final CountDownLatch warm;
        long sink;

        Innocent(int i, CountDownLatch warm) {
            super("innocent-" + i);
            this.warm = warm;
            setDaemon(true);
        }

        @Override
        public void run() {
            SplittableRandom rnd = new SplittableRandom(getName().hashCode());
            byte[] chunk = new byte[CHUNK];
            rnd.nextBytes(chunk);
            while (!stop) {
                int p = phase;
                int size = MiB + rnd.nextInt(MiB + 1);
                long t0 = System.nanoTime();
                try {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (int w = 0; w < size; w += CHUNK) {
                        out.write(chunk, 0, Math.min(CHUNK, size - w));
                    }
                    byte[] response = out.toByteArray();
                    sink += response[response.length - 1];
                    ok[p]++;
                } catch (Throwable t) {
                    if (Failures.isRefusal(t)) {
                        refused[p]++;
                    } else if (Failures.isOutOfMemory(t)) {
                        oome[p]++;
                    } else {
                        other[p]++;
                    }
                    if (firstFailure == null) {
                        firstFailure = NAMES[p] + ": " + t;
                    }
                }
                latencies[p].add(System.nanoTime() - t0);
                warm.countDown();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int innocents = Integer.parseInt(args[0]);
        long phase1Millis = Long.parseLong(args[1]);
        long phase2Millis = Long.parseLong(args[2]);
        result("max-heap", Runtime.getRuntime().maxMemory());

        CountDownLatch warm = new CountDownLatch(innocents * 30);
        List<Innocent> threads = new ArrayList<>();
        for (int i = 0; i < innocents; i++) {
            Innocent t = new Innocent(i, warm);
            threads.add(t);
            t.start();
        }
        result("warmed-up", warm.await(30, TimeUnit.SECONDS));
        long gcBefore = gcMillis();

        // Phase 1: one buffer grown without bound, again and again.
        phase = 1;
        long start = System.nanoTime();
        long deadline = start + phase1Millis * 1_000_000L;
        long refusals = 0;
        long oomes = 0;
        long largest = 0;
        long cycles = 0;
        double refusalMillis = -1;
        byte[] mib = new byte[MiB];
        while (System.nanoTime() < deadline) {
            ByteArrayOutputStream big = new ByteArrayOutputStream();
            cycles++;
            long t = 0;
            try {
                while (true) {
                    t = System.nanoTime();
                    big.write(mib, 0, MiB);
                }
            } catch (Throwable e) {
                double millis = (System.nanoTime() - t) / 1e6;
                largest = Math.max(largest, big.size());
                if (Failures.isRefusal(e)) {
                    if (refusals++ == 0) {
                        resultUnderPressure("p1.hog.first-refusal", oneLine(e.getMessage()));
                    }
                    refusalMillis = Math.max(refusalMillis, millis);
                } else if (Failures.isOutOfMemory(e)) {
                    if (oomes++ == 0) {
                        resultUnderPressure("p1.hog.first-oome", oneLine(String.valueOf(e)));
                    }
                } else {
                    result("p1.hog.other", oneLine(String.valueOf(e)));
                    throw e;
                }
            }
        }
        result("p1.hog.cycles", cycles);
        result("p1.hog.refusals", refusals);
        result("p1.hog.oome", oomes);
        result("p1.hog.largest-mib", largest / MiB);
        result("p1.hog.slowest-refusal-ms", Latencies.ms(refusalMillis));

        // Phase 2: an ever-growing list of 4 MiB arrays built through a BAOS; kept after a refusal.
        phase = 2;
        start = System.nanoTime();
        deadline = start + phase2Millis * 1_000_000L;
        refusals = 0;
        oomes = 0;
        List<byte[]> held = new ArrayList<>();
        byte[] chunk = new byte[64 * 1024];
        long firstStopMillis = -1;
        while (System.nanoTime() < deadline) {
            try {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                for (int i = 0; i < 64; i++) {
                    b.write(chunk, 0, chunk.length);
                }
                held.add(b.toByteArray());
            } catch (Throwable e) {
                if (firstStopMillis < 0) {
                    firstStopMillis = (System.nanoTime() - start) / 1_000_000L;
                    resultUnderPressure("p2.hog.held-at-first-stop-mib", (long) held.size() * 4);
                }
                if (Failures.isRefusal(e)) {
                    if (refusals++ == 0) {
                        resultUnderPressure("p2.hog.first-refusal", oneLine(e.getMessage()));
                    }
                } else if (Failures.isOutOfMemory(e)) {
                    if (oomes++ == 0) {
                        resultUnderPressure("p2.hog.first-oome", oneLine(String.valueOf(e)));
                    }
                } else {
                    result("p2.hog.other", oneLine(String.valueOf(e)));
                    throw e;
                }
            }
        }
        result("p2.hog.refusals", refusals);
        result("p2.hog.oome", oomes);
        result("p2.hog.held-mib", (long) held.size() * 4);
        result("p2.hog.first-stop-ms", firstStopMillis);
        result("hog.report-failed", reportFailed);

        stop = true;
        int alive = 0;
        for (Innocent t : threads) {
            t.join(30_000);
            if (t.isAlive()) {
                alive++;
            }
        }
        held.clear();
        result("innocent.threads-stuck", alive);
        result("gc.millis", gcMillis() - gcBefore);
        result("gc.collectors", collectors());

        for (int p = 0; p < PHASES; p++) {
            long ok = 0;
            long refused = 0;
            long oome = 0;
            long other = 0;
            List<Latencies> lat = new ArrayList<>();
            for (Innocent t : threads) {
                ok += t.ok[p];
                refused += t.refused[p];
                oome += t.oome[p];
                other += t.other[p];
                lat.add(t.latencies[p]);
            }
            Latencies all = Latencies.merge(lat);
            String n = NAMES[p];
            result(n + ".innocent.ok", ok);
            result(n + ".innocent.refused", refused);
            result(n + ".innocent.oome", oome);
            result(n + ".innocent.other", other);
            result(n + ".innocent.failures", refused + oome + other);
            result(n + ".innocent.p50-ms", Latencies.ms(all.quantileMillis(0.50)));
            result(n + ".innocent.p99-ms", Latencies.ms(all.quantileMillis(0.99)));
            result(n + ".innocent.max-ms", Latencies.ms(all.maxMillis()));
        }
        for (Innocent t : threads) {
            if (t.firstFailure != null) {
                result("innocent.first-failure." + t.getName(), oneLine(t.firstFailure));
            }
        }
        result("done", true);
    }

    /**
     * Reports from a failure handler, where the heap may be full: without the agent the hog meets the JVM's own
     * OutOfMemoryError, and one thrown while printing about it must not end the program (measured: once in a
     * CI run on G1 / JDK 25, after the line was written).
     */
    private static void resultUnderPressure(String key, Object value) {
        try {
            result(key, value);
        } catch (OutOfMemoryError e) {
            reportFailed = true;
        }
    }

    static volatile boolean reportFailed;

    static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    static String collectors() {
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.add(gc.getName() + ":" + gc.getCollectionCount());
        }
        return String.join(",", names);
    }

    static String oneLine(String s) {
        return s == null ? "null" : s.replace('\n', ' ').replace('\r', ' ');
    }
}

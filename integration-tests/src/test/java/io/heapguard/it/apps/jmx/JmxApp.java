package io.heapguard.it.apps.jmx;

import io.heapguard.QuotaExceededException;
import io.heapguard.it.apps.CommandLoop;
import io.heapguard.it.apps.Report;
import io.heapguard.it.apps.reliability.MBeans;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import static io.heapguard.it.apps.Report.result;

/**
 * An application the JMX tests drive step by step: one command per line on stdin, answered with
 * {@code RESULT key=value} lines and a closing {@code DONE} on stdout, so the test decides what happens when
 * and never has to guess by time. It prints {@code READY} once {@code main} runs. It ends on {@code quit}, at
 * the end of its input, or (halting with status 3) after {@code args[0]} seconds, 120 by default, whatever the
 * test does.
 *
 * <pre>
 * ping                          RESULT pong=true
 * info                          RESULT max-heap=..., pid=...
 * allocate KEY SIZE [a|b|c]     ByteBuffer.allocate(SIZE), held under KEY; a, b and c are three call sites
 * grow KEY SIZE                 writes SIZE more bytes (64 KiB at a time) into the ByteArrayOutputStream KEY
 * drop KEY                      lets go of KEY and waits (bounded) until the collector has found it gone
 * burst N SIZE                  N times ByteBuffer.allocate(SIZE), each expected to be refused
 * await-mbeans                  waits (bounded) in the process for io.heapguard:type=Agent
 * quit                          exits with status 0
 * </pre>
 *
 * Sizes are bytes or {@code 64k}, {@code 20m}. A granted growth answers {@code granted=true}; a refused one
 * {@code granted=false} and everything the exception carries ({@link Report#refusal}, prefix {@code r}), with
 * {@code r.top=} its top consumers.
 */
public final class JmxApp {
    private static final Map<String, Object> HELD = new HashMap<>();

    private JmxApp() {
    }

    public static void main(String[] args) throws IOException {
        CommandLoop.serve("JmxApp", args.length > 0 ? Long.parseLong(args[0]) : 120, JmxApp::run);
    }

    private static void run(String[] w) {
        switch (w[0]) {
            case "ping":
                result("pong", true);
                break;
            case "info":
                result("max-heap", Runtime.getRuntime().maxMemory());
                result("pid", ProcessHandle.current().pid());
                break;
            case "allocate":
                allocate(w[1], (int) size(w[2]), w.length > 3 ? w[3] : "a");
                break;
            case "grow":
                grow(w[1], size(w[2]));
                break;
            case "drop":
                drop(w[1]);
                break;
            case "burst":
                burst(Integer.parseInt(w[1]), (int) size(w[2]));
                break;
            case "await-mbeans":
                try {
                    result("registered", MBeans.awaitRegistered(MBeans.AGENT, 20_000));
                } catch (Exception e) {
                    result("registered", e.toString());
                }
                break;
            default:
                result("error", "unknown command " + w[0]);
        }
    }

    private static void allocate(String key, int bytes, String site) {
        try {
            ByteBuffer b;
            switch (site) {
                case "a":
                    b = siteA(bytes);
                    break;
                case "b":
                    b = siteB(bytes);
                    break;
                case "c":
                    b = siteC(bytes);
                    break;
                default:
                    throw new IllegalArgumentException("site " + site);
            }
            HELD.put(key, b);
            result("granted", true);
            result("capacity", b.capacity());
        } catch (QuotaExceededException e) {
            refused(e);
        }
    }

    // Three call sites, so that a refusal's top consumers can tell them apart.
    private static ByteBuffer siteA(int bytes) {
        return ByteBuffer.allocate(bytes);
    }

    private static ByteBuffer siteB(int bytes) {
        return ByteBuffer.allocate(bytes);
    }

    private static ByteBuffer siteC(int bytes) {
        return ByteBuffer.allocate(bytes);
    }

    private static void grow(String key, long bytes) {
        ByteArrayOutputStream out = (ByteArrayOutputStream) HELD.computeIfAbsent(key, k -> new ByteArrayOutputStream());
        long start = out.size();
        try {
            long left = bytes;
            while (left > 0) {
                int n = (int) Math.min(64 * 1024, left);
                out.write(Report.pattern(out.size(), n), 0, n);
                left -= n;
            }
            result("granted", true);
        } catch (QuotaExceededException e) {
            refused(e);
        }
        result("size", out.size());
        result("grown", out.size() - start);
        result("intact", Report.crc(out) == Report.patternCrc(out.size()));
    }

    private static void refused(QuotaExceededException e) {
        result("granted", false);
        Report.refusal("r", e);
        result("r.top", String.join("; ", e.topConsumers()));
    }

    /** Lets go of {@code key} and collects until a phantom reference to it is enqueued (at most 10 s). */
    private static void drop(String key) {
        Object o = HELD.remove(key);
        if (o == null) {
            result("dropped", false);
            return;
        }
        ReferenceQueue<Object> q = new ReferenceQueue<>();
        PhantomReference<Object> ref = new PhantomReference<>(o, q);
        o = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean gone = false;
        try {
            while (!gone && System.nanoTime() < deadline) {
                System.gc();
                gone = q.remove(100) != null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Reference.reachabilityFence(ref);
        result("dropped", gone);
    }

    private static void burst(int n, int bytes) {
        int refused = 0;
        int granted = 0;
        for (int i = 0; i < n; i++) {
            try {
                ByteBuffer.allocate(bytes);
                granted++;
            } catch (QuotaExceededException e) {
                refused++;
            }
        }
        result("refused", refused);
        result("granted", granted);
    }

    static long size(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k")) {
            unit = 1L << 10;
        } else if (t.endsWith("m")) {
            unit = 1L << 20;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }
}

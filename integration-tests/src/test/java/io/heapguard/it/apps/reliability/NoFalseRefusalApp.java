package io.heapguard.it.apps.reliability;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Issue #8, item 2: heavy short-lived garbage on {@code args[1]} threads (small objects, a ring of medium-lived
 * arrays so the old generation sees garbage too, and 64 KiB-1 MiB {@code ByteArrayOutputStream}s, which the
 * ledger charges and must credit), while the main thread, {@code args[0]} times, grows one
 * {@code ByteArrayOutputStream} to 20 % of the maximum heap, drops it, and grows another through 20 % to 40 %
 * (pre-sized so that its doublings land on those shares: the last growth holds 20 % and allocates 40 %).
 * Nothing here exceeds what the heap can hold, except where the collector cannot place the 40 % beside the 20 %
 * (G1 before JDK 21, which never moves either): each refusal is then checked by allocating the same bytes
 * unguarded. Runs with and without the agent.
 */
public final class NoFalseRefusalApp {
    static volatile boolean stop;
    static final AtomicLong refusals = new AtomicLong();
    static final AtomicLong oomes = new AtomicLong();
    static final AtomicLong others = new AtomicLong();
    /** Refusals after which the same allocation, unguarded, failed too, and those after which it succeeded. */
    static final AtomicLong confirmed = new AtomicLong();
    static final AtomicLong unconfirmed = new AtomicLong();
    static volatile String firstFailure;

    public static void main(String[] args) throws Exception {
        int cycles = Integer.parseInt(args[0]);
        int garbageThreads = Integer.parseInt(args[1]);
        int compressingThreads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        long max = Runtime.getRuntime().maxMemory();
        result("max-heap", max);

        List<Thread> threads = new ArrayList<>();
        AtomicLong garbageBytes = new AtomicLong();
        AtomicLong trackedBuffers = new AtomicLong();
        for (int i = 0; i < garbageThreads; i++) {
            Thread t = new Thread(() -> garbage(garbageBytes, trackedBuffers), "garbage-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (int i = 0; i < compressingThreads; i++) {
            Thread t = new Thread(NoFalseRefusalApp::compress, "gzip-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }

        // A buffer pre-sized to 1/16 of 20 % of the heap reaches 20 % after 4 doublings, 40 % after 5.
        int initial = (int) (max / 5 / 16);
        long twenty = (long) initial * 16;
        long forty = twenty * 2;
        result("share20-mib", twenty / MiB);
        result("share40-mib", forty / MiB);
        byte[] mib = new byte[MiB];
        int grown20 = 0;
        int grown40 = 0;
        long start = System.nanoTime();
        for (int c = 0; c < cycles; c++) {
            if (grow(initial, twenty, mib)) {
                grown20++;
            }
            if (grow(initial, forty, mib)) {
                grown40++;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        stop = true;
        for (Thread t : threads) {
            t.join(10_000);
        }
        result("grown-20", grown20);
        result("grown-40", grown40);
        result("millis", millis);
        result("garbage-mib", garbageBytes.get() / MiB);
        result("tracked-garbage-buffers", trackedBuffers.get());
        result("refusals", refusals.get());
        result("refusals-confirmed", confirmed.get());
        result("refusals-unconfirmed", unconfirmed.get());
        result("oome", oomes.get());
        result("other", others.get());
        result("first-failure", firstFailure);
        result("gc.millis", BlastRadiusApp.gcMillis());
        result("gc.collectors", BlastRadiusApp.collectors());
        result("done", true);
    }

    /** Grows one pre-sized buffer to {@code target} bytes; true when it got there. */
    private static boolean grow(int initial, long target, byte[] mib) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(initial);
        try {
            while (b.size() < target) {
                b.write(mib, 0, (int) Math.min(mib.length, target - b.size()));
            }
            return true;
        } catch (Throwable t) {
            failed("grower at " + b.size() / MiB + " MiB", t);
            if (Failures.isRefusal(t)) {
                placeUnguarded(b, target);
            }
            return false;
        }
    }

    /**
     * After a refusal, whether the collector could have placed the growth: the same number of bytes allocated
     * where heapguard does not look (a {@code BitSet}'s {@code long[]}), while the buffer it would have replaced
     * is still held. An OutOfMemoryError confirms the refusal; an allocation that succeeds shows it false.
     */
    private static void placeUnguarded(ByteArrayOutputStream held, long bytes) {
        long bits = Math.min(Integer.MAX_VALUE, bytes * 8);
        try {
            BitSet placed = new BitSet((int) bits);
            if (placed.size() > 0) {
                unconfirmed.incrementAndGet();
            }
        } catch (OutOfMemoryError e) {
            confirmed.incrementAndGet();
        }
        if (held.size() < 0) {
            System.out.print(""); // keeps the held buffer reachable until the attempt is over
        }
    }

    static void failed(String where, Throwable t) {
        if (Failures.isRefusal(t)) {
            refusals.incrementAndGet();
        } else if (Failures.isOutOfMemory(t)) {
            oomes.incrementAndGet();
        } else {
            others.incrementAndGet();
        }
        if (firstFailure == null) {
            firstFailure = BlastRadiusApp.oneLine(where + ": " + t);
        }
    }

    /**
     * Gzips 256 KiB responses in 8 KiB writes, as a server compressing its answers does. On JDK 17 a thread
     * inside {@code Deflater} holds the JNI critical region that makes HotSpot skip {@code System.gc()}.
     */
    private static void compress() {
        SplittableRandom rnd = new SplittableRandom(Thread.currentThread().getName().hashCode());
        byte[] text = new byte[256 * 1024];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ('a' + rnd.nextInt(20));
        }
        long sink = 0;
        while (!stop) {
            try {
                java.io.OutputStream counting = new java.io.OutputStream() {
                    long n;

                    @Override
                    public void write(int b) {
                        n++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        n += len;
                    }
                };
                try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(counting, 8192)) {
                    for (int o = 0; o < text.length; o += 8192) {
                        gz.write(text, o, 8192);
                    }
                }
                sink += text.length;
            } catch (Throwable t) {
                failed(Thread.currentThread().getName(), t);
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
    }

    private static void garbage(AtomicLong bytes, AtomicLong tracked) {
        SplittableRandom rnd = new SplittableRandom(Thread.currentThread().getName().hashCode());
        Object[] ring = new Object[2048]; // up to ~8 MiB of medium-lived arrays per thread
        byte[] chunk = new byte[16 * 1024];
        long local = 0;
        long sink = 0;
        while (!stop) {
            try {
                for (int i = 0; i < 1000; i++) { // small, short-lived
                    Object[] o = new Object[1 + rnd.nextInt(8)];
                    o[0] = new byte[16 + rnd.nextInt(512)];
                    sink += o.length;
                    local += 64 + o.length * 4L + 528;
                }
                int slot = rnd.nextInt(ring.length);
                ring[slot] = new byte[rnd.nextInt(8 * 1024)]; // medium-lived
                if (rnd.nextInt(8) == 0) { // a tracked buffer: 64 KiB - 1 MiB, dropped at once
                    int size = 64 * 1024 + rnd.nextInt(MiB - 64 * 1024);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    for (int w = 0; w < size; w += chunk.length) {
                        b.write(chunk, 0, Math.min(chunk.length, size - w));
                    }
                    sink += b.toByteArray().length;
                    local += 3L * size;
                    tracked.incrementAndGet();
                }
            } catch (Throwable t) {
                failed(Thread.currentThread().getName(), t);
            }
            if (local > MiB) {
                bytes.addAndGet(local);
                local = 0;
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
    }
}

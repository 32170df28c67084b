package io.heapguard.bench.pressure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The ordinary requests: each renders a JSON order listing of 64-256 KiB with a {@link StringBuilder}, encodes it
 * into a {@link ByteArrayOutputStream} through a {@link Writer} and takes the response out with
 * {@code toByteArray()} (every one of these grows past heapguard's {@code track.min}, so each request is charged
 * and credited). The last {@code retained} responses stay reachable, as a server's send queue or response cache
 * keeps them for a moment. A request's size and content follow from its index alone, so every run asks the same.
 *
 * <p>Outcomes go into arrays sized before the run, so recording one allocates nothing, even with the heap full.
 */
final class Innocents {
    static final int MIN_CHARS = 64 << 10;
    static final int MAX_CHARS = 256 << 10;
    private static final String[] SKUS = {"A-1001", "B-2040", "C-3177", "D-4208", "E-5319", "F-6420", "G-7531", "H-8642"};

    static final byte NOT_DONE = 0;
    static final byte SERVED = 1;
    static final byte REFUSED = 2;
    static final byte OUT_OF_MEMORY = 3;
    static final byte OTHER_FAILURE = 4;

    private final long[] latencyNanos;
    private final byte[] outcome;
    private final byte[][] recent;

    Innocents(int count, int retained) {
        latencyNanos = new long[count];
        outcome = new byte[count];
        recent = new byte[Math.max(1, retained)][];
    }

    /** Serves request {@code index}, due at {@code dueNanos}, and records how it ended. */
    void serve(int index, long dueNanos) {
        byte result;
        try {
            recent[index % recent.length] = respond(index);
            result = SERVED;
        } catch (Throwable t) {
            result = Failures.kind(t);
        }
        latencyNanos[index] = System.nanoTime() - dueNanos;
        outcome[index] = result;
    }

    static byte[] respond(int index) throws IOException {
        SplittableRandom random = new SplittableRandom(index * 0x9E3779B97F4A7C15L);
        int chars = MIN_CHARS + random.nextInt(MAX_CHARS - MIN_CHARS + 1);
        StringBuilder json = new StringBuilder();
        json.append("{\"request\":").append(index).append(",\"orders\":[");
        for (int item = 0; json.length() < chars; item++) {
            int cents = random.nextInt(100, 1_000_000);
            json.append(item == 0 ? "" : ",").append("{\"line\":").append(item)
                    .append(",\"sku\":\"").append(SKUS[random.nextInt(SKUS.length)])
                    .append("\",\"quantity\":").append(random.nextInt(1, 100))
                    .append(",\"price\":").append(cents / 100).append('.').append(cents % 100 / 10).append(cents % 10)
                    .append('}');
        }
        json.append("]}");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (Writer out = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
            out.append(json);
        }
        return body.toByteArray();
    }

    /** What the requests from {@code from} (inclusive) to {@code to} (exclusive) came to. */
    Summary summarise(int from, int to) {
        long[] served = new long[to - from];
        int n = 0;
        int[] byOutcome = new int[OTHER_FAILURE + 1];
        for (int i = from; i < to; i++) {
            byOutcome[outcome[i]]++;
            if (outcome[i] == SERVED) {
                served[n++] = latencyNanos[i];
            }
        }
        long[] sorted = Arrays.copyOf(served, n);
        Arrays.sort(sorted);
        return new Summary(to - from, byOutcome, sorted);
    }

    /** Outcome counts and the sorted latencies of the served requests, in nanoseconds. */
    record Summary(int scheduled, int[] byOutcome, long[] servedLatencies) {
        int count(byte kind) {
            return byOutcome[kind];
        }

        int lost() {
            return scheduled - count(SERVED);
        }

        /** Nearest-rank percentile in milliseconds; -1 when nothing was served. */
        double percentileMillis(double p) {
            if (servedLatencies.length == 0) {
                return -1;
            }
            int rank = (int) Math.ceil(p / 100 * servedLatencies.length);
            return servedLatencies[Math.max(0, Math.min(servedLatencies.length - 1, rank - 1))] / 1e6;
        }

        double maxMillis() {
            return servedLatencies.length == 0 ? -1 : servedLatencies[servedLatencies.length - 1] / 1e6;
        }
    }
}

package io.heapguard.bench.pressure;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The oversized requests: each streams into one {@link ByteArrayOutputStream}, 1 MiB a write, toward twice the
 * maximum heap, so the stream's doubling must fail one way or another: refused by heapguard (its
 * {@code QuotaExceededException}), or an {@link OutOfMemoryError} wherever the JVM runs out. Their due times are
 * fixed like the innocents', so they arrive at the same pace with and without the agent; how late each one
 * started is recorded to show that it did.
 */
final class Oversized {
    private static final int CHUNK = 1 << 20;

    private final long targetBytes;
    private final byte[] chunk = new byte[CHUNK];
    private final byte[] outcome;
    private final long[] startLagNanos;
    private final long[] reachedBytes;

    Oversized(int count, long targetBytes) {
        this.targetBytes = targetBytes;
        Arrays.fill(chunk, (byte) 'x');
        outcome = new byte[count];
        startLagNanos = new long[count];
        reachedBytes = new long[count];
    }

    void grow(int index, long dueNanos) {
        startLagNanos[index] = System.nanoTime() - dueNanos;
        ByteArrayOutputStream upload = new ByteArrayOutputStream();
        byte result;
        try {
            while (upload.size() < targetBytes) {
                upload.write(chunk, 0, CHUNK);
            }
            result = Innocents.SERVED;
        } catch (Throwable t) {
            result = Failures.kind(t);
        }
        reachedBytes[index] = upload.size();
        outcome[index] = result;
    }

    int count(byte kind) {
        int n = 0;
        for (byte b : outcome) {
            n += b == kind ? 1 : 0;
        }
        return n;
    }

    int scheduled() {
        return outcome.length;
    }

    /** Started more than {@code nanos} after their due time. */
    int startedLaterThan(long nanos) {
        int n = 0;
        for (long lag : startLagNanos) {
            n += lag > nanos ? 1 : 0;
        }
        return n;
    }

    double maxStartLagMillis() {
        long max = 0;
        for (long lag : startLagNanos) {
            max = Math.max(max, lag);
        }
        return max / 1e6;
    }

    /** The largest buffer any of them reached, in bytes. */
    long largestReached() {
        long max = 0;
        for (long b : reachedBytes) {
            max = Math.max(max, b);
        }
        return max;
    }
}

package io.heapguard.it;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/**
 * A request body made on the fly, {@code head}, then {@code unit} {@code count} times, then {@code tail}, so a
 * client can send more than its own heap could hold. The bytes cycle through a small buffer: nothing the size
 * of the body is ever allocated.
 */
public final class GeneratedBody extends InputStream {
    private final byte[] head;
    private final byte[] unit;
    private final byte[] tail;
    private final long length;
    private long position;

    public GeneratedBody(String head, String unit, long count, String tail) {
        this.head = head.getBytes(StandardCharsets.UTF_8);
        this.unit = unit.getBytes(StandardCharsets.UTF_8);
        this.tail = tail.getBytes(StandardCharsets.UTF_8);
        this.length = this.head.length + this.unit.length * count + this.tail.length;
    }

    /** {@code bytes} zero bytes. */
    public static GeneratedBody zeros(long bytes) {
        return new GeneratedBody("", "\0", bytes, "");
    }

    public long length() {
        return length;
    }

    /** A publisher of this body with its length known (no chunked encoding). */
    public HttpRequest.BodyPublisher publisher() {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> this), length);
    }

    private int at(long p) {
        if (p < head.length) {
            return head[(int) p] & 0xff;
        }
        long inUnits = p - head.length;
        long unitsLength = length - head.length - tail.length;
        if (inUnits < unitsLength) {
            return unit[(int) (inUnits % unit.length)] & 0xff;
        }
        return tail[(int) (inUnits - unitsLength)] & 0xff;
    }

    @Override
    public int read() {
        return position < length ? at(position++) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) at(position++);
        }
        return n;
    }
}

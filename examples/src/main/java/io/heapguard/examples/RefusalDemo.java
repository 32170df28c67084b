package io.heapguard.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * Reads an oversized "upload" (64 MiB) into a {@link ByteArrayOutputStream}, the way a great deal of server
 * code does. Under heapguard with {@code examples/heapguard-demo.properties} the growth past 16 MiB is refused
 * with a {@code QuotaExceededException} before the memory is allocated: the request fails, the buffer keeps
 * what it had, and the JVM carries on serving.
 *
 * <pre>
 * java -javaagent:agent/target/heapguard-agent.jar=config=examples/heapguard-demo.properties \
 *      -cp examples/target/heapguard-examples.jar io.heapguard.examples.RefusalDemo
 * </pre>
 *
 * Without the agent it runs too and simply shows the buffer growing to the whole upload. It only touches
 * heapguard's classes (in {@link Refusal}) once a refusal has happened, so it needs nothing of heapguard
 * on its class path: under the agent, {@code io.heapguard.QuotaExceededException} comes from the
 * bootstrap class loader.
 */
public final class RefusalDemo {
    static final int MiB = 1 << 20;
    static final int UPLOAD_BYTES = 64 * MiB;

    private RefusalDemo() {
    }

    public static void main(String[] args) throws IOException {
        int size = args.length > 0 ? Integer.parseInt(args[0]) * MiB : UPLOAD_BYTES;
        System.out.println("heapguard demo: receiving an upload of " + mib(size)
                + " into a ByteArrayOutputStream, as a request handler would");

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            receive(new Upload(size), body);
            System.out.println("read all " + mib(body.size()) + ": nothing refused the growth (no heapguard agent, "
                    + "or no rule covering it). Run with -javaagent:agent/target/heapguard-agent.jar"
                    + "=config=examples/heapguard-demo.properties to see a refusal.");
        } catch (RuntimeException e) {
            if (!isQuotaExceeded(e)) {
                throw e;
            }
            System.out.println("REFUSED: " + e.getMessage());
            Refusal.describe(e);
            checkIntact(body);
            showAlive();
        }
    }

    /** True for a heapguard refusal; compares by name so that it never loads heapguard's classes. */
    static boolean isQuotaExceeded(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getClass().getName().equals("io.heapguard.QuotaExceededException")) {
                return true;
            }
        }
        return false;
    }

    /** The handler: copies the request body into memory. */
    static void receive(InputStream upload, ByteArrayOutputStream body) throws IOException {
        upload.transferTo(body);
    }

    /** What is in the buffer after the refusal: every byte received so far, and it still takes writes. */
    private static void checkIntact(ByteArrayOutputStream body) throws IOException {
        int kept = body.size();
        boolean same = crc(body) == Upload.crcOfFirst(kept);
        System.out.println((same ? "buffer intact: " : "buffer NOT intact: ") + mib(kept) + " kept, content "
                + (same ? "matches the first " + mib(kept) + " of the upload" : "differs from the upload"));
        body.reset();
        body.write(new byte[MiB], 0, MiB);
        System.out.println("buffer still usable: reset and rewritten, now " + mib(body.size()));
    }

    /** The JVM goes on: the next, normal request is served. */
    private static void showAlive() throws IOException {
        ByteArrayOutputStream next = new ByteArrayOutputStream();
        receive(new Upload(MiB), next);
        Runtime rt = Runtime.getRuntime();
        System.out.println("JVM alive: the next request (" + mib(next.size()) + ") was served; heap in use "
                + mib(rt.totalMemory() - rt.freeMemory()) + " of at most " + mib(rt.maxMemory()));
    }

    static long crc(ByteArrayOutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        out.writeTo(new CheckedOutputStream(OutputStream.nullOutputStream(), crc));
        return crc.getValue();
    }

    static String mib(long bytes) {
        return bytes % MiB == 0 ? (bytes / MiB) + " MiB" : String.format("%.1f MiB", bytes / (double) MiB);
    }

    /** A request body of {@code size} bytes, generated as it is read: byte {@code i} is {@code i % 251}. */
    static final class Upload extends InputStream {
        private final long size;
        private long pos;

        Upload(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return pos < size ? (int) (pos++ % 251) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((pos + i) % 251);
            }
            pos += n;
            return n;
        }

        static long crcOfFirst(long bytes) {
            CRC32 crc = new CRC32();
            byte[] b = new byte[64 * 1024];
            Upload u = new Upload(bytes);
            int n;
            while ((n = u.read(b, 0, b.length)) > 0) {
                crc.update(b, 0, n);
            }
            return crc.getValue();
        }
    }
}

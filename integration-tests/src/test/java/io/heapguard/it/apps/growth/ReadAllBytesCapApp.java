package io.heapguard.it.apps.growth;

import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.heapguard.it.apps.Report.result;

/**
 * Run with rule {@code cap}: targets InputStream.readAllBytes, max-buffer 1m; argument: a scratch directory.
 * Each kind of stream holds 3 MiB (2 MiB for the sized ones) of a known pattern; reading it all must be refused
 * at this class's call, and the stream must still be readable where it stood: where the refusal stopped the
 * chunked read, at the start for the streams that know their size and refuse before reading.
 */
public final class ReadAllBytesCapApp {
    private static final int MiB = 1 << 20;

    /** A stream of {@code length} bytes, byte i being {@code i % 251}, that overrides nothing but read. */
    static final class Source extends InputStream {
        private final long length;
        long position;

        Source(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            return position < length ? (int) (position++ % 251) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((position + i) % 251);
            }
            position += n;
            return n;
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);

        // 1. InputStream.readAllBytes: chunks, refused once more than 1 MiB has been read
        Source s = new Source(3 * MiB);
        Attempt.refused("chunks", () -> s.readAllBytes());
        long at = s.position;
        result("chunks.position-over-cap", at > MiB && at < 2 * MiB);
        int next = s.read();
        result("chunks.usable", next == (int) (at % 251));
        byte[] rest = s.readNBytes(10);
        result("chunks.usable.next", rest.length == 10 && (rest[0] & 0xff) == (at + 1) % 251);

        // 2. readNBytes(int) the same way
        Source n = new Source(3 * MiB);
        Attempt.refused("nbytes", () -> n.readNBytes(2 * MiB));
        result("nbytes.position-over-cap", n.position > MiB && n.position < 2 * MiB);

        // 3. under the cap: granted, content exact
        Source small = new Source(900_000);
        byte[] all = small.readAllBytes();
        result("small.ok", all.length == 900_000 && all[899_999] == (byte) (899_999 % 251));

        // 4. FileInputStream knows the size: refused before reading anything
        Path file = dir.resolve("two-mib.bin");
        byte[] content = new byte[2 * MiB];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i % 251);
        }
        Files.write(file, content);
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            Attempt.refused("file", () -> in.readAllBytes());
            result("file.position", in.getChannel().position());
            Attempt.refused("file-nbytes", () -> in.readNBytes(2 * MiB));
            byte[] head = in.readNBytes(100);
            result("file.usable", Arrays.equals(head, Arrays.copyOf(content, 100)));
        }

        // 5. ByteArrayInputStream copies what is left: refused, nothing consumed
        ByteArrayInputStream bais = new ByteArrayInputStream(content);
        Attempt.refused("bais", () -> bais.readAllBytes());
        result("bais.available", bais.available());
        byte[] ten = bais.readNBytes(10);
        result("bais.usable", Arrays.equals(ten, Arrays.copyOf(content, 10)));

        // 6. Files.newInputStream (its own read-all on JDK 25, InputStream's on 17)
        try (InputStream in = Files.newInputStream(file)) {
            Attempt.refused("channel", () -> in.readAllBytes());
        }
        result("done", true);
    }
}

package io.heapguard.it.apps.growth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;

import io.heapguard.QuotaExceededException;

import static io.heapguard.it.apps.Report.result;

/**
 * Reads a gzip stream that inflates to 4 GiB of zeros (4 MiB compressed, made on the fly) whole, with
 * {@code readAllBytes()} or with {@code transferTo(new ByteArrayOutputStream())} (argument 0). Run under
 * {@code -Xmx1g} with heapguard's defaults, it must be refused (most likely by {@code heap-reserve}), never
 * end in an OutOfMemoryError, and leave the JVM working: afterwards it allocates and frees 100 MiB.
 */
public final class GzipBombApp {
    private static final int MiB = 1 << 20;
    static final long INFLATED = 4L << 30;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long start = System.nanoTime();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (InputStream bomb = new GZIPInputStream(new Bomb(INFLATED / MiB), 64 * 1024)) {
            long read;
            if (mode.equals("readAllBytes")) {
                read = bomb.readAllBytes().length;
            } else {
                bomb.transferTo(sink);
                read = sink.size();
            }
            result("outcome", "completed");
            result("read", read);
        } catch (QuotaExceededException e) {
            result("outcome", "refused");
            io.heapguard.it.apps.Report.refusal("bomb", e);
        } catch (OutOfMemoryError e) {
            result("outcome", "OutOfMemoryError");
            result("oome", e.getMessage());
        }
        result("elapsed-ms", (System.nanoTime() - start) / 1_000_000);
        result("sink.size", sink.size());
        sink = null;

        // alive: the memory the bomb took comes back, and a fair allocation succeeds
        byte[][] blocks = new byte[100][];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new byte[MiB];
            blocks[i][i] = 1;
        }
        result("alive", blocks[99][99] == 1);
        result("done", true);
    }

    /**
     * {@code gzip} of {@code mib} MiB of zeros: a header, one deflate segment of 1 MiB of zeros ended by a
     * full flush (so it depends on nothing before it) repeated {@code mib} times, a final empty block, and the
     * trailer (CRC-32 and length of what inflates).
     */
    public static final class Bomb extends InputStream {
        private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
        private static final byte[] FINAL_BLOCK = {1, 0, 0, (byte) 0xff, (byte) 0xff};
        private final byte[] segment;
        private final long mib;
        private long segmentsLeft;
        private byte[] current = HEADER;
        private int pos;
        private int part; // 0 header, 1 segments, 2 final block, 3 trailer, 4 end

        public Bomb(long mib) {
            this.mib = mib;
            this.segmentsLeft = mib;
            Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
            d.setInput(new byte[MiB]);
            byte[] out = new byte[64 * 1024];
            int n = d.deflate(out, 0, out.length, Deflater.FULL_FLUSH);
            d.end();
            if (n >= out.length) {
                throw new IllegalStateException("segment too large");
            }
            segment = java.util.Arrays.copyOf(out, n);
        }

        private boolean advance() {
            while (pos == current.length) {
                switch (part) {
                    case 0:
                        part = 1;
                        // fall through
                    case 1:
                        if (segmentsLeft > 0) {
                            segmentsLeft--;
                            current = segment;
                            pos = 0;
                            return true;
                        }
                        part = 2;
                        current = FINAL_BLOCK;
                        pos = 0;
                        return true;
                    case 2:
                        part = 3;
                        current = trailer();
                        pos = 0;
                        return true;
                    default:
                        part = 4;
                        return false;
                }
            }
            return true;
        }

        private byte[] trailer() {
            CRC32 crc = new CRC32();
            byte[] zeros = new byte[MiB];
            for (long i = 0; i < mib; i++) {
                crc.update(zeros);
            }
            long c = crc.getValue();
            long size = (mib * MiB) & 0xffffffffL;
            byte[] t = new byte[8];
            for (int i = 0; i < 4; i++) {
                t[i] = (byte) (c >>> (8 * i));
                t[4 + i] = (byte) (size >>> (8 * i));
            }
            return t;
        }

        @Override
        public int read() throws IOException {
            if (!advance()) {
                return -1;
            }
            return current[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!advance()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}

package io.heapguard.it.apps.arrays;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.io.ByteStreams;
import io.heapguard.QuotaExceededException;
import io.heapguard.it.apps.Report;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.commons.io.IOUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Real libraries used as users use them, each asked for more than a 16 MiB {@code max-buffer} on the
 * growth point {@code array} allows (run with {@code rule.arrays.targets=array,rule.arrays.max-buffer=16m}):
 * <ul>
 * <li>{@code jackson}: {@code ObjectMapper.writeValueAsBytes} of a ~25 MiB document;</li>
 * <li>{@code commons-io}: {@code IOUtils.toByteArray} of a 64 MiB stream;</li>
 * <li>{@code guava}: {@code ByteStreams.toByteArray} of a 64 MiB stream;</li>
 * <li>{@code netty}: {@code Unpooled.buffer()} written 1 MiB at a time past the cap;</li>
 * <li>{@code length-prefix}: {@code DataInputStream.readFully(new byte[len])} with a hostile {@code len}.</li>
 * </ul>
 * Each call is made here, in a method named after the scenario, and the refusal caught here. Then the
 * same library does a small job, to show the JVM and the library still work. Arguments: the scenarios to
 * run (default all).
 */
public final class LibrariesApp {
    private static final int STREAM = 64 * MiB;

    private LibrariesApp() {
    }

    public static void main(String[] args) throws IOException {
        List<String> run = args.length == 0
                ? List.of("jackson", "commons-io", "guava", "netty", "length-prefix") : Arrays.asList(args);
        for (String scenario : run) {
            switch (scenario) {
                case "jackson":
                    jackson();
                    break;
                case "commons-io":
                    commonsIo();
                    break;
                case "guava":
                    guava();
                    break;
                case "netty":
                    netty();
                    break;
                case "length-prefix":
                    lengthPrefix();
                    break;
                default:
                    throw new IllegalArgumentException(scenario);
            }
        }
        result("done", true);
    }

    static void jackson() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<String> huge = new ArrayList<>();
        char[] line = new char[100];
        Arrays.fill(line, 'x');
        String value = new String(line);
        for (int i = 0; i < 250_000; i++) {
            huge.add(value);
        }
        try {
            byte[] json = mapper.writeValueAsBytes(huge);
            result("jackson.refused", false);
            result("jackson.bytes", json.length);
        } catch (QuotaExceededException e) {
            refused("jackson", e);
        }
        result("jackson.after", new String(mapper.writeValueAsBytes(Map.of("ok", true)), StandardCharsets.UTF_8));
    }

    static void commonsIo() throws IOException {
        try {
            byte[] all = IOUtils.toByteArray(new PatternStream(STREAM));
            result("commons-io.refused", false);
            result("commons-io.bytes", all.length);
        } catch (QuotaExceededException e) {
            refused("commons-io", e);
        }
        result("commons-io.after", IOUtils.toByteArray(new PatternStream(MiB)).length);
    }

    static void guava() throws IOException {
        try {
            byte[] all = ByteStreams.toByteArray(new PatternStream(STREAM));
            result("guava.refused", false);
            result("guava.bytes", all.length);
        } catch (QuotaExceededException e) {
            refused("guava", e);
        }
        result("guava.after", ByteStreams.toByteArray(new PatternStream(MiB)).length);
    }

    static void netty() {
        ByteBuf buf = Unpooled.buffer();
        byte[] chunk = Report.pattern(0, MiB);
        long written = 0;
        try {
            for (int i = 0; i < 64; i++) {
                buf.writeBytes(chunk);
                written += chunk.length;
            }
            result("netty.refused", false);
        } catch (QuotaExceededException e) {
            refused("netty", e);
        }
        // the buffer is as it was before the refused growth: every byte written is there
        result("netty.readable", buf.readableBytes());
        result("netty.capacity", buf.capacity());
        result("netty.content-ok", buf.readableBytes() == written && crc(buf) == crcOfChunks(written, chunk));
        buf.clear();
        buf.writeBytes(chunk);
        result("netty.after", buf.readableBytes());
        buf.release();
    }

    static void lengthPrefix() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(wire);
        out.writeInt(0x7FFF_FFF0); // a hostile length: 2 GiB
        out.write(new byte[] {1, 2, 3, 4});
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire.toByteArray()));
        int len = in.readInt();
        try {
            byte[] payload = new byte[len];
            in.readFully(payload);
            result("length-prefix.refused", false);
        } catch (QuotaExceededException e) {
            refused("length-prefix", e);
        }
        result("length-prefix.after", in.read());
    }

    private static void refused(String scenario, QuotaExceededException e) {
        Report.refusal(scenario, e);
        // the application's frame that called the library is on the refusal's stack, below the call site
        boolean appFrame = false;
        for (StackTraceElement f : e.getStackTrace()) {
            appFrame |= f.getClassName().equals(LibrariesApp.class.getName())
                    && f.getMethodName().equals(methodOf(scenario));
        }
        result(scenario + ".app-frame", appFrame);
        result(scenario + ".top-frame", e.getStackTrace().length == 0 ? "none" : e.getStackTrace()[0].getClassName());
    }

    private static String methodOf(String scenario) {
        switch (scenario) {
            case "commons-io":
                return "commonsIo";
            case "length-prefix":
                return "lengthPrefix";
            default:
                return scenario;
        }
    }

    private static long crc(ByteBuf buf) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer());
        return crc.getValue();
    }

    private static long crcOfChunks(long length, byte[] chunk) {
        CRC32 crc = new CRC32();
        for (long n = 0; n < length; n += chunk.length) {
            crc.update(chunk);
        }
        return crc.getValue();
    }

    /** {@code length} bytes of a repeating pattern, generated as read (nothing held). */
    static final class PatternStream extends InputStream {
        private long left;

        PatternStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return (int) (left % 251);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((left - i) % 251);
            }
            left -= n;
            return n;
        }
    }
}

package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/** How the test applications tell the test what happened: {@code RESULT key=value} lines on stdout. */
public final class Report {
    public static final int KiB = 1 << 10;
    public static final int MiB = 1 << 20;

    private Report() {
    }

    public static void result(String key, Object value) {
        System.out.println("RESULT " + key + "=" + value);
        System.out.flush();
    }

    /** Everything a refusal carries, as {@code <prefix>.rule=...} and so on. */
    public static void refusal(String prefix, QuotaExceededException e) {
        result(prefix + ".refused", true);
        result(prefix + ".rule", e.rule());
        result(prefix + ".target", e.target());
        result(prefix + ".requested", e.requestedBytes());
        result(prefix + ".limit", e.limitBytes());
        result(prefix + ".used", e.usedBytes());
        StackTraceElement site = e.callSite();
        result(prefix + ".callsite-class", site == null ? "null" : site.getClassName());
        result(prefix + ".callsite", site);
        String message = e.getMessage();
        result(prefix + ".message", message == null ? "null" : message.replace("\n", "\\n"));
        result(prefix + ".loader", e.getClass().getClassLoader() == null ? "bootstrap" : e.getClass().getClassLoader());
    }

    /** Deterministic content: the byte at absolute offset {@code i} of a stream is {@code i % 251}. */
    public static byte[] pattern(long offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ((offset + i) % 251);
        }
        return b;
    }

    /** CRC32 of a BAOS's content, without copying it (toByteArray() is itself a charged copy). */
    public static long crc(ByteArrayOutputStream out) {
        CRC32 crc = new CRC32();
        try {
            out.writeTo(new CheckedOutputStream(OutputStream.nullOutputStream(), crc));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return crc.getValue();
    }

    /** CRC32 of the first {@code length} bytes of {@link #pattern}. */
    public static long patternCrc(long length) {
        CRC32 crc = new CRC32();
        for (long off = 0; off < length; off += MiB) {
            int n = (int) Math.min(MiB, length - off);
            crc.update(pattern(off, n));
        }
        return crc.getValue();
    }
}

package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;

import java.io.ByteArrayOutputStream;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Run with a rule {@code cap}: targets ByteArrayOutputStream, max-buffer 16m. Exercises a plain BAOS and a
 * subclass the same way: fill to 12 MiB in 1 MiB writes (capacity 16 MiB), then
 * <ol>
 * <li>write 8 MiB: the growth to 32 MiB must be refused, leaving size, content and capacity as they were;</li>
 * <li>write 4 MiB: fits the capacity, must succeed (size 16 MiB);</li>
 * <li>write 1 byte: the growth to 32 MiB must be refused again;</li>
 * <li>reset and write 1 MiB: must succeed.</li>
 * </ol>
 * Then a fresh BAOS grows in one write to exactly 16 MiB (granted) and one to 16 MiB + 1 (refused).
 */
public final class BaosCapApp {
    public static void main(String[] args) {
        exercise("plain", new ByteArrayOutputStream());
        exercise("sub", new CapacityBaos());

        ByteArrayOutputStream exact = new ByteArrayOutputStream();
        try {
            exact.write(Report.pattern(0, 16 * MiB), 0, 16 * MiB);
            result("exact.granted", true);
        } catch (QuotaExceededException e) {
            result("exact.granted", false);
            Report.refusal("exact", e);
        }
        ByteArrayOutputStream over = new ByteArrayOutputStream();
        try {
            over.write(Report.pattern(0, 16 * MiB + 1), 0, 16 * MiB + 1);
            result("over.refused", false);
        } catch (QuotaExceededException e) {
            Report.refusal("over", e);
        }
        result("over.size", over.size());
        result("done", true);
    }

    private static void exercise(String p, ByteArrayOutputStream out) {
        long written = 0;
        for (int i = 0; i < 12; i++) {
            out.write(Report.pattern(written, MiB), 0, MiB);
            written += MiB;
        }
        int sizeBefore = out.size();
        long crcBefore = Report.crc(out);
        int capBefore = capacity(out);
        result(p + ".size-before", sizeBefore);
        result(p + ".capacity-before", capBefore);

        // 1. a growth over the cap
        try {
            out.write(Report.pattern(written, 8 * MiB), 0, 8 * MiB);
            result(p + ".first.refused", false);
            written += 8 * MiB;
        } catch (QuotaExceededException e) {
            Report.refusal(p + ".first", e);
        }
        result(p + ".size-after", out.size());
        result(p + ".capacity-after", capacity(out));
        result(p + ".content-unchanged", Report.crc(out) == crcBefore);

        // 2. a write within the capacity
        try {
            out.write(Report.pattern(written, 4 * MiB), 0, 4 * MiB);
            written += 4 * MiB;
            result(p + ".within.ok", true);
        } catch (QuotaExceededException e) {
            result(p + ".within.ok", false);
            Report.refusal(p + ".within", e);
        }
        result(p + ".size-within", out.size());
        result(p + ".content-ok", Report.crc(out) == Report.patternCrc(written) && out.size() == written);

        // 3. one byte more needs a growth over the cap again
        try {
            out.write((int) (written % 251));
            result(p + ".second.refused", false);
        } catch (QuotaExceededException e) {
            Report.refusal(p + ".second", e);
        }
        result(p + ".size-second", out.size());

        // 4. the buffer stays usable
        out.reset();
        out.write(Report.pattern(0, MiB), 0, MiB);
        result(p + ".reused.size", out.size());
        result(p + ".reused.content-ok", Report.crc(out) == Report.patternCrc(MiB));
        result(p + ".capacity-end", capacity(out));
    }

    private static int capacity(ByteArrayOutputStream out) {
        return out instanceof CapacityBaos ? ((CapacityBaos) out).capacity() : -1;
    }
}

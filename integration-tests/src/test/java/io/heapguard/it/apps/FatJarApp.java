package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;

import java.io.ByteArrayOutputStream;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * The main class of a fat jar that carries the agent ({@code Launcher-Agent-Class}); run with
 * -Dheapguard.rule.cap.targets=ByteArrayOutputStream -Dheapguard.rule.cap.max-buffer=16m. Fills a BAOS to
 * 16 MiB, then one write more is refused.
 */
public final class FatJarApp {
    public static void main(String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 16; i++) {
            out.write(Report.pattern((long) i * MiB, MiB), 0, MiB);
        }
        long crc = Report.crc(out);
        try {
            out.write(Report.pattern(16L * MiB, MiB), 0, MiB);
            result("cap.refused", false);
        } catch (QuotaExceededException e) {
            Report.refusal("cap", e);
        }
        result("size-after", out.size());
        result("content-unchanged", Report.crc(out) == crc);
        result("done", true);
    }
}

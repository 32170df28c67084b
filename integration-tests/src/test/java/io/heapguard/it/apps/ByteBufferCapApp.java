package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Run with a rule {@code bb}: targets ByteBuffer.allocate, max-buffer 16m. 16 MiB is granted, 16 MiB + 1 and
 * 32 MiB are refused, 1 MiB afterwards is granted; a BAOS and a direct buffer of 32 MiB are not covered by the
 * rule and are granted.
 */
public final class ByteBufferCapApp {
    public static void main(String[] args) {
        ByteBuffer exact = allocate("exact", 16 * MiB);
        allocate("over", 16 * MiB + 1);
        allocate("big", 32 * MiB);
        ByteBuffer after = allocate("after", MiB);
        result("after.capacity", after == null ? -1 : after.capacity());
        result("exact.capacity", exact == null ? -1 : exact.capacity());

        try {
            ByteArrayOutputStream baos = new ByteArrayOutputStream();
            baos.write(new byte[32 * MiB], 0, 32 * MiB);
            result("baos.granted", baos.size() == 32 * MiB);
        } catch (QuotaExceededException e) {
            result("baos.granted", false);
            Report.refusal("baos", e);
        }
        try {
            ByteBuffer direct = ByteBuffer.allocateDirect(32 * MiB);
            result("direct.granted", direct.capacity() == 32 * MiB);
        } catch (QuotaExceededException e) {
            result("direct.granted", false);
            Report.refusal("direct", e);
        }
        result("done", true);
    }

    private static ByteBuffer allocate(String p, int bytes) {
        try {
            ByteBuffer b = ByteBuffer.allocate(bytes);
            result(p + ".granted", true);
            return b;
        } catch (QuotaExceededException e) {
            result(p + ".granted", false);
            Report.refusal(p, e);
            return null;
        }
    }
}

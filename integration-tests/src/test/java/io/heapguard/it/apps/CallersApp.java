package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;
import io.heapguard.it.apps.other.OtherReader;
import io.heapguard.it.apps.upload.UploadReader;

import java.io.ByteArrayOutputStream;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Run with a rule {@code upload}: targets ByteArrayOutputStream, callers io.heapguard.it.apps.upload.*,
 * max-buffer 1m. The same 4 MiB read is refused from {@code upload.UploadReader} and granted from
 * {@code other.OtherReader} and from this class, in one JVM, in either order.
 */
public final class CallersApp {
    public static void main(String[] args) {
        read("other1", false);
        read("upload1", true);
        read("other2", false);
        read("upload2", true);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[4 * MiB], 0, 4 * MiB);
            result("main.size", out.size());
        } catch (QuotaExceededException e) {
            result("main.size", -1);
            Report.refusal("main", e);
        }
        result("done", true);
    }

    private static void read(String p, boolean upload) {
        try {
            ByteArrayOutputStream out = upload ? UploadReader.read(4 * MiB) : OtherReader.read(4 * MiB);
            result(p + ".size", out.size());
            result(p + ".refused", false);
        } catch (QuotaExceededException e) {
            Report.refusal(p, e);
        }
    }
}

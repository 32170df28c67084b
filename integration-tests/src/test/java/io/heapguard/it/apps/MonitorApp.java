package io.heapguard.it.apps;

import java.io.ByteArrayOutputStream;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Run in {@code mode=monitor} with a rule {@code cap}: targets ByteArrayOutputStream, max-buffer 64k. Grows one
 * BAOS to 4 MiB (every growth past 64 KiB a would-be refusal), then makes {@code args[0]} (default 10,000)
 * more would-be refusals: a 64 KiB BAOS written 64 KiB + 1 bytes grows to 128 KiB. Nothing may throw.
 */
public final class MonitorApp {
    public static void main(String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 64; i++) {
            out.write(chunk, 0, chunk.length);
        }
        result("grown", out.size());

        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        byte[] over = new byte[64 * 1024 + 1];
        long start = System.nanoTime();
        long total = 0;
        for (int i = 0; i < n; i++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64 * 1024);
            b.write(over, 0, over.length);
            total += b.size();
        }
        result("would-be-refusals", n);
        result("bytes", total);
        result("millis", (System.nanoTime() - start) / 1_000_000);
        result("done", out.size() == 4 * MiB);
    }
}

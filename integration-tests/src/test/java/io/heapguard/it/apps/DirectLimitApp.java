package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Run with a rule {@code direct}: targets ByteBuffer.allocateDirect, limit 64m, and -XX:MaxDirectMemorySize=512m.
 * Round 1 allocates 16 MiB direct buffers, keeping them, until one is refused (expected after 4). It then drops
 * them all and at once allocates again: no System.gc(), no sleep: the agent must find out by itself that
 * the dropped buffers are gone. Round 2 fills up again until refused (expected: 4 again).
 */
public final class DirectLimitApp {
    public static void main(String[] args) {
        List<ByteBuffer> held = new ArrayList<>();
        fill("round1", held);
        held.clear(); // every buffer of round 1 is now unreachable

        try {
            held.add(ByteBuffer.allocateDirect(16 * MiB));
            result("after-release.granted", true);
        } catch (QuotaExceededException e) {
            result("after-release.granted", false);
            Report.refusal("after-release", e);
        }
        fill("round2", held);
        result("done", true);
    }

    /** Allocates into {@code held} until refused; in its own frame so that no local keeps a buffer alive. */
    private static void fill(String p, List<ByteBuffer> held) {
        int before = held.size();
        for (int i = 0; i < 32; i++) {
            try {
                held.add(ByteBuffer.allocateDirect(16 * MiB));
            } catch (QuotaExceededException e) {
                result(p + ".granted", held.size() - before);
                result(p + ".held", held.size());
                Report.refusal(p, e);
                return;
            }
        }
        result(p + ".granted", held.size() - before);
        result(p + ".refused", false);
    }
}

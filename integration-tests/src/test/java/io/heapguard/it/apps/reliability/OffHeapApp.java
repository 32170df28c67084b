package io.heapguard.it.apps.reliability;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Issue #8, item 7: direct buffers of {@code args[0]} MiB, all kept, allocated until one fails (run with
 * -XX:MaxDirectMemorySize); every call timed. Then {@code args[1]} more attempts while still holding everything,
 * each timed too. Without the agent the JDK's own reservation fails (after running {@code System.gc()} and
 * backing off); with a heapguard direct limit below MaxDirectMemorySize heapguard refuses first. Prints the
 * granted calls' p50/max, the failing calls' latencies and what failed them. Never names a heapguard class.
 */
public final class OffHeapApp {
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]) * MiB;
        int retries = Integer.parseInt(args[1]);
        List<ByteBuffer> held = new ArrayList<>();
        Latencies granted = new Latencies();
        Throwable failure = null;
        double firstFailureMillis = -1;
        for (int i = 0; i < 10_000 && failure == null; i++) {
            long t0 = System.nanoTime();
            try {
                ByteBuffer b = ByteBuffer.allocateDirect(size);
                granted.add(System.nanoTime() - t0);
                held.add(b);
            } catch (Throwable t) {
                firstFailureMillis = (System.nanoTime() - t0) / 1e6;
                failure = t;
            }
        }
        result("granted", held.size());
        result("granted-mib", (long) held.size() * size / MiB);
        result("granted.p50-ms", Latencies.ms(granted.quantileMillis(0.5)));
        result("granted.max-ms", Latencies.ms(granted.maxMillis()));
        result("failure", failure == null ? "none" : failure.getClass().getName());
        result("failure.kind", failure == null ? "none"
                : Failures.isRefusal(failure) ? "refusal" : Failures.isOutOfMemory(failure) ? "oome" : "other");
        result("failure.message", failure == null ? "none" : BlastRadiusApp.oneLine(failure.getMessage()));
        result("failure.first-ms", Latencies.ms(firstFailureMillis));
        StackTraceElement top = failure == null ? null : firstApplicationFrame(failure);
        result("failure.thrown-at", top);

        Latencies failing = new Latencies();
        failing.add((long) (firstFailureMillis * 1e6));
        int again = 0;
        for (int i = 0; i < retries; i++) {
            long t0 = System.nanoTime();
            try {
                held.add(ByteBuffer.allocateDirect(size));
                again++;
            } catch (Throwable t) {
                failing.add(System.nanoTime() - t0);
            }
        }
        result("retries.granted", again);
        result("failing.count", failing.count());
        result("failing.p50-ms", Latencies.ms(failing.quantileMillis(0.5)));
        result("failing.p99-ms", Latencies.ms(failing.quantileMillis(0.99)));
        result("failing.max-ms", Latencies.ms(failing.maxMillis()));
        result("failing.min-ms", Latencies.ms(failing.quantileMillis(0.0)));
        result("held", held.size());
        result("ledger.direct-used", ledgerUsed("direct"));
        result("done", true);
    }

    /**
     * What heapguard's rule holds, through its public API by reflection (this application also runs without the
     * agent, where those classes do not exist): -1 without the agent or the rule.
     */
    private static long ledgerUsed(String rule) {
        try {
            Class<?> ledgerClass = Class.forName("io.heapguard.ledger.Ledger", false, null);
            Object ledger = ledgerClass.getMethod("current").invoke(null);
            Object control = ledger == null ? null : ledgerClass.getMethod("control").invoke(ledger);
            Object account = control == null ? null
                    : control.getClass().getMethod("ruleAccount", String.class).invoke(control, rule);
            return account == null ? -1 : (Long) account.getClass().getMethod("used").invoke(account);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** The frame that called into the JDK: where the application sees the failure. */
    private static StackTraceElement firstApplicationFrame(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(OffHeapApp.class.getName())) {
                return e;
            }
        }
        return null;
    }
}

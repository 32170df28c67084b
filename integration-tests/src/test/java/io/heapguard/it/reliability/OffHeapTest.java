package io.heapguard.it.reliability;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.reliability.OffHeapApp;

import static io.heapguard.it.reliability.Reliability.assertAtMost;
import static io.heapguard.it.reliability.Reliability.doubleResult;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #8, item 7, off-heap. 4 MiB direct buffers, all kept, allocated until one fails, under
 * {@code -XX:MaxDirectMemorySize=64m}. Without the agent the JDK's own reservation stalls (it runs
 * {@code System.gc()} and backs off for about half a second) and then throws OutOfMemoryError; with a heapguard
 * direct limit of 48m heapguard refuses first, at once, at the call site. With a heapguard limit above
 * MaxDirectMemorySize the JDK's error still comes, and heapguard gives the reservation back: its account holds
 * exactly what was allocated. All latencies recorded.
 */
class OffHeapTest {
    private static final String RULE = "rule.direct.targets=ByteBuffer.allocateDirect,rule.direct.limit=";
    private static final String[] FIGURES = {"granted-mib", "granted.p50-ms", "failure.kind", "failure.first-ms",
            "failing.count", "failing.p50-ms", "failing.p99-ms", "failing.max-ms", "failing.min-ms",
            "ledger.direct-used", "failure.message"};

    private static JvmResult run(Jdk jdk, String agentArgs, int retries, String name) {
        Jvm jvm = Jvm.on(jdk)
                .defaults("-Xmx256m", "-XX:MaxDirectMemorySize=64m", "-Xshare:auto")
                .timeout(Reliability.timeout(60, 120))
                .named(name);
        if (agentArgs != null) {
            jvm.agent(agentArgs);
        }
        return jvm.run(OffHeapApp.class, "4", Integer.toString(retries));
    }

    @OnEachJdk
    void heapguardRefusesAtOnceWhereTheJdkStallsThenFails(Jdk jdk) {
        JvmResult bare = run(jdk, null, 4, "offheap-bare");
        Reliability.record("off-heap", "no agent, MaxDirectMemorySize=64m", jdk, bare, FIGURES);
        bare.assertExit(0).assertResult("done", true);
        bare.assertResult("failure.kind", "oome");
        bare.assertResult("granted-mib", 64);

        JvmResult guarded = run(jdk, RULE + "48m", 1000, "offheap-agent");
        Reliability.record("off-heap", "agent, direct limit 48m < 64m", jdk, guarded, FIGURES);
        guarded.assertExit(0).assertResult("done", true);
        guarded.assertResult("failure", "io.heapguard.QuotaExceededException");
        guarded.assertResult("granted-mib", 48);
        guarded.assertResult("retries.granted", 0);
        guarded.assertResult("failure.thrown-at", bare.result("failure.thrown-at")); // the application's own call
        guarded.assertResult("ledger.direct-used", 48L << 20);
        // at once: the first refusal (which may force one collection) before the JDK's first error (which always
        // sleeps 511 ms in all before it throws), and the refusals after it typically in microseconds
        double jdkFirst = doubleResult(bare, "failure.first-ms");
        double guardFirst = doubleResult(guarded, "failure.first-ms");
        assertTrue(guardFirst < jdkFirst, () -> "heapguard's first refusal took " + guardFirst
                + " ms, the JDK's error " + jdkFirst + " ms\n" + guarded.describe());
        assertAtMost(guarded, "failing.p50-ms", 5);
    }

    @OnEachJdk
    void aJdkErrorUnderAHigherLimitGivesTheReservationBack(Jdk jdk) {
        JvmResult r = run(jdk, RULE + "96m", 2, "offheap-agent-above");
        Reliability.record("off-heap", "agent, direct limit 96m > 64m", jdk, r, FIGURES);
        r.assertExit(0).assertResult("done", true);
        r.assertResult("failure.kind", "oome");
        r.assertResult("granted-mib", 64);
        r.assertResult("ledger.direct-used", 64L << 20); // the failed allocations left nothing charged
    }
}

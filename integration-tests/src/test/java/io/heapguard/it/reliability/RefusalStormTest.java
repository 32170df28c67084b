package io.heapguard.it.reliability;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.reliability.StormApp;

import java.util.List;

import static io.heapguard.it.reliability.Reliability.assertAtLeast;
import static io.heapguard.it.reliability.Reliability.assertAtMost;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #8, item 3, refusal storms. Four threads refuse as fast as they can for 10 s, half by max-buffer, half by a
 * live limit (the path that may force a collection); then 3 s of the same in monitor mode; then 400 short-lived
 * threads each refuse and take a tracked buffer. Proves: thousands of refusals per second; the JVM stays
 * responsive (a 1 ms heartbeat's p99 and worst lateness, an ordinary worker's latency and zero failures); forced
 * collections within their budget (a quarter of wall time plus a 1 s burst); the log (monitor mode) within
 * {@code log.max-per-minute}, nothing logged for enforced refusals; JMX notifications within
 * {@code notify.max-per-second}; the agent's own memory bounded (live charges during the storm, and after it the
 * heap after a collection and the live charges back where they were).
 */
class RefusalStormTest {
    static final String RULES = "rule.cap.targets=ByteArrayOutputStream,"
            + "rule.cap.callers=io.heapguard.it.apps.reliability.storm.*,rule.cap.max-buffer=128k,"
            + "rule.pool.targets=ByteBuffer.allocate,rule.pool.callers=io.heapguard.it.apps.reliability.storm.*,"
            + "rule.pool.limit=16m";

    @OnEachJdk
    void theJvmStaysResponsiveAndTheAgentBounded(Jdk jdk) {
        long enforceMillis = Reliability.length(10_000, 120_000);
        JvmResult r = Jvm.on(jdk)
                .defaults("-Xmx256m", "-Xshare:auto")
                .options(Reliability.gcLog("storm", jdk))
                .agent(RULES)
                .timeout(Reliability.timeout(90, 400))
                .named("storm")
                .run(StormApp.class, Long.toString(enforceMillis), "4", Long.toString(Reliability.length(3_000, 60_000)),
                        Long.toString(Reliability.length(400, 4_000)));
        Reliability.record("refusal storm", "agent", jdk, r, "enforce.refusals-per-second",
                "enforce.pool-refusals-per-second", "enforce.forced-collections", "enforce.forced-gc-ms",
                "enforce.heartbeat.p99-ms", "enforce.heartbeat.max-ms", "enforce.worker.requests",
                "enforce.worker.failures", "enforce.worker.p99-ms", "enforce.max-live-charges",
                "monitor.would-be-refusals", "monitor.suppressed-log-lines", "monitor.heartbeat.max-ms",
                "notify.received", "notify.max-in-one-second", "notify.dropped", "growth.heap-after-gc-kib",
                "growth.live-charges", "churn.threads");
        r.assertExit(0).assertResult("done", true).assertResult("agent", true);
        r.assertResult("enforce.unexpected", 0);
        r.assertResult("monitor.unexpected", 0);

        // thousands of refusals per second, by both paths
        assertAtLeast(r, "enforce.refusals-per-second", 2_000);
        assertAtLeast(r, "enforce.pool-refusals-per-second", 500);

        // responsive: nothing else waits long, ordinary work is never refused
        assertAtMost(r, "enforce.heartbeat.p99-ms", 100);
        assertAtMost(r, "enforce.heartbeat.max-ms", 1_000);
        assertAtMost(r, "monitor.heartbeat.max-ms", 1_000);
        r.assertResult("enforce.worker.failures", 0);
        r.assertResult("monitor.worker.failures", 0);
        assertAtLeast(r, "enforce.worker.requests", 100);
        assertAtMost(r, "enforce.worker.p99-ms", 200);
        // forced collections within their budget: 25 % of wall time plus a 1 s burst (and 10 % for measurement)
        assertAtMost(r, "enforce.forced-gc-ms", 1.1 * (0.25 * enforceMillis + 1_000));

        // the log: nothing for enforced refusals; in monitor mode at most log.max-per-minute (60) records
        List<String> records = JvmResult.linesContaining(r.stderr(), "heapguard monitor: would refuse");
        long minutes = 1 + Reliability.length(3_000, 60_000) / 60_000;
        assertTrue(records.size() <= 60 * minutes + 2, () -> records.size() + " log records\n" + r.describe());
        assertTrue(!records.isEmpty(), () -> "monitor mode should log\n" + r.describe());
        long other = r.stderrLines().stream()
                .filter(l -> !l.contains("heapguard monitor: would refuse") && !l.contains("logWouldRefuse")).count();
        assertEquals(0, other, () -> "unexpected lines on stderr\n" + r.describe());
        assertEquals(r.longResult("monitor.would-be-refusals") - r.longResult("monitor.suppressed-log-lines"),
                records.size(), () -> "every would-be refusal is logged or counted as suppressed\n" + r.describe());

        // JMX notifications: at most notify.max-per-second (10) in any second window (two of ours may share one of
        // the limiter's), the rest counted as dropped
        r.assertResult("mbeans", true);
        assertAtMost(r, "notify.max-in-one-second", 20);
        assertAtMost(r, "notify.received", 10 * (enforceMillis / 1000.0 + 2));
        assertAtLeast(r, "notify.received", 1);
        assertAtLeast(r, "notify.dropped", 1);
        assertEquals(r.longResult("notify.denials"), r.longResult("notify.received") + r.longResult("notify.dropped"),
                () -> "every refusal is notified or counted as dropped\n" + r.describe());

        // the agent's own memory: bounded during the storm, back where it was after it
        assertAtMost(r, "enforce.max-live-charges", 10_000);
        r.assertResult("growth.live-charges", 0);
        assertAtMost(r, "growth.heap-after-gc-kib", 4 * 1024);
    }
}

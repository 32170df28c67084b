package io.heapguard.it.reliability;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.reliability.BalanceApp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #8, item 4, balance. A long mixed run (four threads: ByteArrayOutputStream growths and copies, heap and
 * direct buffers, nested scopes; refusals by max-buffer, rule limits, scopes and the global limit; the JDK's own
 * direct-memory errors; objects kept for random times; limits, mode and configuration changed live all along),
 * then a known set kept and everything else dropped. After collections, every ledger (global, each rule, the
 * tracked heap total, live charges, an open scope) holds exactly the baseline plus that set, and exactly the
 * baseline once it is dropped too; no account was ever seen negative. Then, with nothing live and the forced
 * collections' budget back from the run's storm of refusals (a debt of at most one collection), a 1 MiB buffer
 * far inside every limit must be granted: garbage never refuses.
 */
class BalanceTest {
    static final String RULES = "rule.upload.targets=ByteArrayOutputStream,"
            + "rule.upload.callers=io.heapguard.it.apps.reliability.*,rule.upload.max-buffer=8m,rule.upload.limit=48m,"
            + "rule.bufs.targets=ByteBuffer.allocate,rule.bufs.limit=32m,"
            + "rule.direct.targets=ByteBuffer.allocateDirect,rule.direct.limit=40m,global.limit=96m";

    @OnEachJdk
    void everyLedgerReturnsToWhatIsReallyHeld(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .defaults("-Xmx256m", "-XX:MaxDirectMemorySize=32m", "-Xshare:auto")
                .agent(RULES)
                .timeout(Reliability.timeout(60, 900))
                .named("balance")
                .run(BalanceApp.class, Long.toString(Reliability.length(8_000, 300_000)), "4");
        Reliability.record("balance", "agent, mixed run", jdk, r, "live-changes", "outcomes", "minimum", "held",
                "held.expected", "released", "baseline", "held.scope-used", "released.scope-used", "garbage.refused",
                "garbage.forced-collections", "garbage.refusal", "garbage.budget-at-end-ms", "garbage.budget-wait-ms");
        r.assertExit(0).assertResult("done", true);
        r.assertResult("negative-accounts", 0);
        assertEquals(r.result("held.expected"), r.result("held"), () -> "after the run\n" + r.describe());
        assertEquals(r.result("baseline"), r.result("released"), () -> "after releasing\n" + r.describe());
        assertNotEquals("-1", r.result("held.rounds"), r::describe);
        assertNotEquals("-1", r.result("released.rounds"), r::describe);
        r.assertResult("held.scope-used", 2L << 20);
        r.assertResult("released.scope-used", 0);
        String outcomes = r.result("outcomes");
        for (String kind : new String[] {"granted.upload", "granted.bufs", "granted.direct", "refused.upload",
                "refused.bufs", "refused.global", "refused.scope"}) {
            assertTrue(outcomes.contains(kind + "="), () -> "the run should include " + kind + "\n" + r.describe());
        }
        // and, the run over, nothing live: a 1 MiB buffer is refused by nothing (an application whose live data
        // fits is never refused because of garbage: docs/how-it-works.md)
        r.assertResult("garbage.budget-back", true); // the run's debt is bounded: within 10 s it is paid
        r.assertResult("garbage.refused", 0);
    }
}

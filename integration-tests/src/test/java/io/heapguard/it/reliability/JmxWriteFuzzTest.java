package io.heapguard.it.reliability;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.reliability.JmxWriteFuzzApp;

/**
 * Issue #8, item 5, JMX writes through the real MBeans (the ledger setters behind them are fuzzed 20,000 times in
 * core's {@code LedgerWriteFuzzTest}): 2,000 seeded hostile writes, wrong types, nulls and missing attributes; each
 * is applied exactly when valid, or rejected with one clear JMX error and nothing changed; then the ledger obeys
 * the last values written.
 */
class JmxWriteFuzzTest {

    @OnEachJdk
    void hostileWritesAreAppliedOrRejectedCleanly(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .agent("rule.up.targets=ByteArrayOutputStream,rule.up.max-buffer=16m,rule.up.limit=64m")
                .timeout(Reliability.timeout(60, 60))
                .named("jmx-fuzz")
                .run(JmxWriteFuzzApp.class, "2000");
        Reliability.record("JMX write fuzz", "agent", jdk, r, "registered", "writes", "outcomes", "wrong", "first-wrong");
        r.assertExit(0);
        r.assertResult("registered", true);
        r.assertResult("first-wrong", "none");
        r.assertResult("wrong", 0);
        r.assertResult("obeyed", true);
        r.assertResult("lifted", true);
        r.assertResult("done", true);
    }
}

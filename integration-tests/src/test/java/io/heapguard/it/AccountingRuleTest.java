package io.heapguard.it;

import io.heapguard.it.apps.AccountingRuleApp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rules file whose rule names only its targets starts, counts what its buffers hold on its MBean and never
 * refuses: how an operator sizes limits from production before enforcing any.
 */
class AccountingRuleTest {

    @OnEachJdk
    void aRuleWithNeitherLimitCountsAndNeverRefuses(Jdk jdk) throws IOException {
        Path rules = Files.createTempFile(Build.workDir(), "accounting", ".properties");
        Files.write(rules, "rule.x.targets=ByteArrayOutputStream\n".getBytes(StandardCharsets.UTF_8));
        JvmResult r = Jvm.on(jdk).options("-Xmx512m").agent("config=" + rules).run(AccountingRuleApp.class, "x");
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);
        r.assertResult("refused", false);
        r.assertResult("size", 96 * MiB);
        r.assertResult("mbean", true);
        r.assertResult("Denials", 0);
        r.assertResult("LimitBytes", -1);
        r.assertResult("MaxBufferBytes", -1);
        long used = Long.parseLong(r.result("UsedBytes"));
        long peak = Long.parseLong(r.result("PeakBytes"));
        long grants = Long.parseLong(r.result("Grants"));
        // the held buffer's array (at least 96 MiB) is charged while it lives; doubling from track.min took grants
        assertTrue(used >= 96 * MiB, () -> "UsedBytes " + used + "\n" + r.describe());
        assertTrue(peak >= used, () -> "PeakBytes " + peak + "\n" + r.describe());
        assertTrue(grants >= 5, () -> "Grants " + grants + "\n" + r.describe());
        assertTrue(r.stderr().contains("rule x sets neither max-buffer nor limit"),
                () -> "expected the start-up line about the accounting-only rule\n" + r.describe());
    }
}

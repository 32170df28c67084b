package io.heapguard.it;

import io.heapguard.it.apps.MonitorApp;

import java.util.List;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mode=monitor}: an over-cap growth is granted and logged as a would-be refusal naming its call site;
 * 10,000 would-be refusals log a bounded number of lines ({@code log.max-per-minute}, default 60).
 */
class MonitorModeTest {
    private static final String RULES = "rule.cap.targets=ByteArrayOutputStream,rule.cap.max-buffer=64k";

    @OnEachJdk
    void wouldBeRefusalsAreGrantedLoggedAndRateLimited(Jdk jdk) {
        JvmResult r = Jvm.on(jdk).agent("mode=monitor," + RULES).run(MonitorApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);
        r.assertResult("grown", 4 * MiB);
        r.assertResult("would-be-refusals", 10_000);

        List<String> records = JvmResult.linesContaining(r.stderr(), MonitorApp.class.getName());
        assertFalse(records.isEmpty(),
                () -> "stderr should show a would-be refusal naming the call site " + MonitorApp.class.getName()
                        + "\n" + r.describe());
        // 6 + 10,000 would-be refusals in a few seconds: at most a minute's allowance (60), and a summary or two
        assertBounded(r, records, 60);
    }

    /**
     * At most {@code perMinute} (+2) messages naming the call site; the log may take two lines a message
     * (java.util.logging's default format), and a line or two of summary.
     */
    private static void assertBounded(JvmResult r, List<String> records, int perMinute) {
        assertTrue(records.size() <= perMinute + 2,
                () -> records.size() + " would-be refusals logged, expected at most ~" + perMinute + "\n" + r.describe());
        List<String> lines = r.stderrLines();
        assertTrue(lines.size() <= 2 * (perMinute + 2),
                () -> lines.size() + " lines on stderr, expected at most ~" + perMinute + " messages\n" + r.describe());
    }

    @OnEachJdk
    void logMaxPerMinuteBoundsTheLog(Jdk jdk) {
        JvmResult r = Jvm.on(jdk).agent("mode=monitor,log.max-per-minute=5," + RULES).run(MonitorApp.class, "2000");
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);
        List<String> records = JvmResult.linesContaining(r.stderr(), MonitorApp.class.getName());
        assertFalse(records.isEmpty(), () -> "expected would-be refusals on stderr\n" + r.describe());
        assertBounded(r, records, 5);
    }
}

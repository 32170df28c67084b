package io.heapguard.it.reliability;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.apps.reliability.BlastRadiusApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.heapguard.it.reliability.Reliability.assertAtLeast;

/**
 * Issue #8, item 1, blast radius. {@code -Xmx256m}, heapguard's built-in defaults only, on G1 (the JVM's choice
 * on the CI machine) and Serial (its choice in a container under 2 CPUs or 1792 MB). Four innocent threads build
 * 1-2 MiB responses in a loop while a hog grows one ByteArrayOutputStream without bound, again and again (phase
 * 1), then keeps an ever-growing list of 4 MiB arrays built through a ByteArrayOutputStream and retries whenever
 * stopped (phase 2).
 *
 * <p>With the agent: no innocent request fails in any way (refused, out of memory, anything) and the hog is
 * refused with QuotaExceededException in both phases. Without the agent the same program is measured (innocent
 * failures, OutOfMemoryErrors, p99, whether the JVM survived) for RELIABILITY.md; only its completion is asserted.
 */
class BlastRadiusTest {
    private static final int INNOCENTS = 4;

    static Stream<Arguments> cases() {
        return Reliability.jdksAndCollectors("G1", "Serial");
    }

    private static JvmResult run(Jdk jdk, String gc, boolean agent) {
        String name = "blast-" + gc + (agent ? "-agent" : "-bare");
        Jvm jvm = Reliability.onCollector(jdk, gc, name, Reliability.timeout(120, 600), "-Xmx256m");
        if (agent) {
            jvm.agent();
        }
        return jvm.run(BlastRadiusApp.class, Integer.toString(INNOCENTS),
                Long.toString(Reliability.length(3_000, 30_000)), Long.toString(Reliability.length(4_000, 60_000)));
    }

    private static final String[] FIGURES = {"p1.innocent.ok", "p1.innocent.failures", "p1.innocent.oome",
            "p1.innocent.refused", "p1.innocent.p99-ms", "p1.hog.refusals", "p1.hog.oome", "p2.innocent.ok",
            "p2.innocent.failures", "p2.innocent.oome", "p2.innocent.refused", "p2.innocent.p99-ms",
            "p2.innocent.max-ms", "p2.hog.refusals", "p2.hog.oome", "p2.hog.held-mib", "warmup.innocent.p99-ms",
            "innocent.threads-stuck", "gc.millis", "done"};

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void withTheAgentNoInnocentFailsAndTheHogIsRefused(Jdk jdk, String gc) {
        JvmResult r = run(jdk, gc, true);
        Reliability.record("blast radius", gc + ", agent", jdk, r, FIGURES);
        assertOnlyTheHogWasRefused(r);
        assertAtLeast(r, "p1.innocent.ok", 1);
        assertAtLeast(r, "p2.innocent.ok", 1);
    }

    /** The run ended normally, no innocent request failed in any way, and the hog was refused in both phases. */
    static void assertOnlyTheHogWasRefused(JvmResult r) {
        r.assertExit(0).assertResult("done", true).assertResult("warmed-up", true);
        r.assertResult("innocent.threads-stuck", 0);
        for (String phase : new String[] {"warmup", "p1", "p2"}) {
            r.assertResult(phase + ".innocent.failures", 0); // refused, out of memory or anything else
        }
        assertAtLeast(r, "p1.hog.refusals", 1);
        assertAtLeast(r, "p2.hog.refusals", 1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void withoutTheAgentTheSameProgramIsMeasured(Jdk jdk, String gc) {
        JvmResult r = run(jdk, gc, false);
        Reliability.record("blast radius", gc + ", no agent", jdk, r, FIGURES);
        // what is robust without the agent: the program ran to its end (it catches what it is thrown)
        r.assertExit(0).assertResult("done", true);
        r.assertResult("p1.hog.refusals", 0);
        r.assertResult("p2.hog.refusals", 0);
    }
}

package io.heapguard.it.reliability;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.reliability.AgentReadyApp;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #13: where heapguard cannot always turn an OutOfMemoryError into a refusal (G1 before JDK 21 with
 * regions small enough that ordinary buffers are humongous) and the JVM exits on one, it says so once at
 * start-up, naming the remedy measured in RELIABILITY.md; nowhere else.
 */
class PinnedRegionsWarningTest {
    private static final String WARNING = "can fail to place a large one with room in the heap";

    private static List<String> warnings(Jdk jdk, String... options) {
        JvmResult r = Jvm.on(jdk).defaults("-Xmx256m", "-Xshare:auto").options(options).agent()
                .named("PinnedRegionsWarning").run(AgentReadyApp.class);
        r.assertExit(0).assertResult("registered", true).assertResult("done", true);
        return JvmResult.linesContaining(r.stderr(), WARNING);
    }

    @OnEachJdk
    void warnsOnlyOnG1Before21WithSmallRegionsWhereAnOutOfMemoryErrorEndsTheJvm(Jdk jdk) {
        List<String> exits = warnings(jdk, "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");
        assertEquals(jdk.feature() < 21 ? 1 : 0, exits.size(), () -> String.join("\n", exits));
        if (jdk.feature() < 21) {
            String line = exits.get(0);
            assertTrue(line.contains("512 KiB") && line.contains("-XX:G1HeapRegionSize=8m"), line);
        }
        assertEquals(jdk.feature() < 21 ? 1 : 0,
                warnings(jdk, "-XX:+UseG1GC", "-XX:+CrashOnOutOfMemoryError").size());
        assertEquals(List.of(), warnings(jdk, "-XX:+UseG1GC"), "without the flag an OutOfMemoryError is survivable");
        assertEquals(List.of(),
                warnings(jdk, "-XX:+UseG1GC", "-XX:G1HeapRegionSize=8m", "-XX:+ExitOnOutOfMemoryError"));
        assertEquals(List.of(), warnings(jdk, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"));
    }
}

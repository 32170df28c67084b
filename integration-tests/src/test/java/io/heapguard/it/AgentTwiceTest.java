package io.heapguard.it;

import io.heapguard.it.apps.TwiceApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/** {@code -javaagent} given twice: the JVM starts, and the hooks are installed once (each buffer charged once). */
class AgentTwiceTest {
    private static final String RULES = "rule.heap.targets=ByteBuffer.allocate,rule.heap.limit=48m";

    @OnEachJdk
    void loadingTheAgentTwiceInstallsOnce(Jdk jdk) {
        JvmResult r = Jvm.on(jdk).options("-Xmx512m").agent(RULES).agent(RULES).run(TwiceApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);
        // charged twice, the 2nd 16 MiB buffer would already break 48 MiB
        r.assertResult("heap.granted", 3);
        assertRefused(r, "heap", "heap", TwiceApp.class, 16 * MiB, 48 * MiB, "ByteBuffer.allocate");
        r.assertResult("heap.used", 48 * MiB);
    }
}

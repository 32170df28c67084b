package io.heapguard.it;

import io.heapguard.it.apps.DirectLimitApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/**
 * {@code rule.<name>.limit} on ByteBuffer.allocateDirect counts live buffers: once the held buffers are
 * dropped, the next allocation is granted without the application collecting garbage or waiting.
 */
class DirectMemoryLimitTest {

    @OnEachJdk
    void droppedDirectBuffersAreReleasedBeforeARefusal(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .options("-XX:MaxDirectMemorySize=512m")
                .agent("rule.direct.targets=ByteBuffer.allocateDirect,rule.direct.limit=64m")
                .run(DirectLimitApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);

        r.assertResult("round1.granted", 4);
        assertRefused(r, "round1", "direct", DirectLimitApp.class, 16 * MiB, 64 * MiB, "ByteBuffer.allocateDirect");
        r.assertResult("round1.used", 64 * MiB);
        r.assertResult("after-release.granted", true);
        // the ledger is exact again: 4 more (the one above included) fit, the 5th does not
        r.assertResult("round2.granted", 3);
        r.assertResult("round2.held", 4);
        assertRefused(r, "round2", "direct", DirectLimitApp.class, 16 * MiB, 64 * MiB, "ByteBuffer.allocateDirect");
    }
}

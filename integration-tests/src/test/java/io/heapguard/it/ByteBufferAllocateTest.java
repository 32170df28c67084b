package io.heapguard.it;

import io.heapguard.it.apps.ByteBufferCapApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/** {@code rule.<name>.max-buffer} on ByteBuffer.allocate, and that the rule's targets leave other growth points alone. */
class ByteBufferAllocateTest {

    @OnEachJdk
    void allocatePastMaxBufferIsRefused(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .options("-Xmx512m", "-XX:MaxDirectMemorySize=512m")
                .agent("rule.bb.targets=ByteBuffer.allocate,rule.bb.max-buffer=16m")
                .run(ByteBufferCapApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);

        r.assertResult("exact.granted", true);
        r.assertResult("exact.capacity", 16 * MiB);
        assertRefused(r, "over", "bb", ByteBufferCapApp.class, 16 * MiB + 1, 16 * MiB, "ByteBuffer.allocate");
        assertRefused(r, "big", "bb", ByteBufferCapApp.class, 32 * MiB, 16 * MiB, "ByteBuffer.allocate");
        r.assertResult("after.granted", true);
        r.assertResult("after.capacity", MiB);
        // targets=ByteBuffer.allocate covers neither ByteArrayOutputStream nor allocateDirect
        r.assertResult("baos.granted", true);
        r.assertResult("direct.granted", true);
    }
}

package io.heapguard.it;

import io.heapguard.it.apps.BaosCapApp;

import java.util.List;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/** {@code rule.<name>.max-buffer} on ByteArrayOutputStream: refusal at the app's call site, buffer intact and usable. */
class BaosMaxBufferTest {

    @OnEachJdk
    void growthPastMaxBufferIsRefusedAndTheBufferIsUntouched(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .options("-Xmx512m")
                .agent("rule.cap.targets=ByteArrayOutputStream,rule.cap.max-buffer=16m")
                .run(BaosCapApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);

        for (String p : List.of("plain", "sub")) { // a plain BAOS and a subclass
            r.assertResult(p + ".size-before", 12 * MiB);
            // 12 MiB in a 16 MiB buffer + 8 MiB: the growth would allocate 32 MiB
            assertRefused(r, p + ".first", "cap", BaosCapApp.class, 32 * MiB, 16 * MiB, "ByteArrayOutputStream");
            r.assertResult(p + ".size-after", 12 * MiB);
            r.assertResult(p + ".content-unchanged", true);
            // still usable: a write within the capacity
            r.assertResult(p + ".within.ok", true);
            r.assertResult(p + ".size-within", 16 * MiB);
            r.assertResult(p + ".content-ok", true);
            // full at 16 MiB: one byte more needs a 32 MiB array
            assertRefused(r, p + ".second", "cap", BaosCapApp.class, 32 * MiB, 16 * MiB, "ByteArrayOutputStream");
            r.assertResult(p + ".size-second", 16 * MiB);
            r.assertResult(p + ".reused.size", MiB);
            r.assertResult(p + ".reused.content-ok", true);
        }
        // the subclass shows the capacity never moved
        r.assertResult("sub.capacity-before", 16 * MiB);
        r.assertResult("sub.capacity-after", 16 * MiB);
        r.assertResult("sub.capacity-end", 16 * MiB);

        // the limit itself is reachable; one byte over is not
        r.assertResult("exact.granted", true);
        assertRefused(r, "over", "cap", BaosCapApp.class, 16 * MiB + 1, 16 * MiB, "ByteArrayOutputStream");
        r.assertResult("over.size", 0);
    }
}

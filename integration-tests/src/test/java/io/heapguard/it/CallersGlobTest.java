package io.heapguard.it;

import io.heapguard.it.apps.CallersApp;
import io.heapguard.it.apps.upload.UploadReader;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/** {@code rule.<name>.callers}: the same growth is refused from a matching class and granted from others, in one JVM. */
class CallersGlobTest {

    @OnEachJdk
    void onlyMatchingCallersAreRefused(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .agent("rule.upload.targets=ByteArrayOutputStream,rule.upload.callers=io.heapguard.it.apps.upload.*,"
                        + "rule.upload.max-buffer=1m")
                .run(CallersApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);

        r.assertResult("other1.refused", false);
        r.assertResult("other1.size", 4 * MiB);
        assertRefused(r, "upload1", "upload", UploadReader.class, 2 * MiB, MiB, "ByteArrayOutputStream");
        r.assertResult("other2.refused", false);
        r.assertResult("other2.size", 4 * MiB);
        assertRefused(r, "upload2", "upload", UploadReader.class, 2 * MiB, MiB, "ByteArrayOutputStream");
        r.assertResult("main.size", 4 * MiB);
    }
}

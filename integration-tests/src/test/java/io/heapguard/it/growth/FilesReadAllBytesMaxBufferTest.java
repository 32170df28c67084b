package io.heapguard.it.growth;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.growth.FilesReadAllCapApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/** {@code Files.readAllBytes} and {@code Files.readString} under {@code max-buffer=1m}: refused before reading. */
class FilesReadAllBytesMaxBufferTest {

    @TempDir
    Path dir;

    @OnEachJdk
    void readingAFileOverMaxBufferIsRefused(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .agent("rule.cap.targets=Files.readAllBytes,rule.cap.max-buffer=1m")
                .run(FilesReadAllCapApp.class, dir.toString());
        r.assertExit(0).assertStderrEmpty().assertResult("done", true);
        for (String p : new String[] {"bytes", "string"}) {
            assertRefused(r, p, "cap", FilesReadAllCapApp.class, 2 * MiB, MiB, "Files.readAllBytes");
            r.assertResult(p + ".used", 0);
        }
        r.assertResult("small.ok", true).assertResult("big.size", 2 * MiB);
    }
}

package io.heapguard.it.growth;

import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.growth.ReadAllBytesCapApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code InputStream.readAllBytes}/{@code readNBytes(int)} under {@code max-buffer=1m}: the chunked read of
 * InputStream (refused once what it read passes the cap, at the latest at twice it: the chunks are charged as a
 * buffer that doubles), and the overrides that allocate the whole array up front ({@code FileInputStream},
 * {@code ByteArrayInputStream}, and JDK 25's {@code Files.newInputStream}), refused before reading.
 */
class ReadAllBytesMaxBufferTest {

    @TempDir
    Path dir;

    @OnEachJdk
    void readingPastMaxBufferIsRefusedAndTheStreamStaysReadable(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .agent("rule.cap.targets=InputStream.readAllBytes,rule.cap.max-buffer=1m")
                .run(ReadAllBytesCapApp.class, dir.toString());
        r.assertExit(0).assertStderrEmpty().assertResult("done", true);
        Class<?> app = ReadAllBytesCapApp.class;
        String target = "InputStream.readAllBytes";

        for (String p : new String[] {"chunks", "nbytes"}) {
            assertRefused(r, p, "cap", app, null, MiB, target);
            long requested = r.longResult(p + ".requested");
            assertTrue(requested > MiB && requested <= 2 * MiB, () -> p + ": requested " + requested + "\n" + r);
            r.assertResult(p + ".position-over-cap", true);
        }
        r.assertResult("chunks.usable", true).assertResult("chunks.usable.next", true);
        r.assertResult("small.ok", true);

        // the sized reads refuse the whole array before reading a byte
        assertRefused(r, "file", "cap", app, 2 * MiB, MiB, target);
        r.assertResult("file.position", 0);
        assertRefused(r, "file-nbytes", "cap", app, 2 * MiB, MiB, target);
        r.assertResult("file.usable", true);
        assertRefused(r, "bais", "cap", app, 2 * MiB, MiB, target);
        r.assertResult("bais.available", 2 * MiB).assertResult("bais.usable", true);
        assertRefused(r, "channel", "cap", app, null, MiB, target);
        if (jdk.feature() >= 25) {
            r.assertResult("channel.requested", 2 * MiB).assertResult("channel.used", 0);
        }
    }
}

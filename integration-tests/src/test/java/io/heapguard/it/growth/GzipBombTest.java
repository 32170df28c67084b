package io.heapguard.it.growth;

import java.time.Duration;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.growth.GzipBombApp;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #5, item 4: a gzip stream inflating to 4 GiB of zeros (4 MiB compressed) read whole under
 * {@code -Xmx1g} with heapguard's built-in defaults (no rule): refused with a QuotaExceededException, never an
 * OutOfMemoryError, and the JVM works afterwards.
 */
class GzipBombTest {

    private static JvmResult run(Jdk jdk, String mode) {
        return Jvm.on(jdk)
                .options("-Xmx1g")
                .agent()
                .timeout(Duration.ofSeconds(120))
                .named("GzipBombApp-" + mode)
                .run(GzipBombApp.class, mode);
    }

    private static void assertHeapReserve(JvmResult r, String target) {
        r.assertResult("bomb.refused", true).assertResult("bomb.rule", "heap-reserve");
        r.assertResult("bomb.target", target).assertResult("bomb.loader", "bootstrap");
        r.assertResult("bomb.callsite-class", GzipBombApp.class.getName());
        assertTrue(r.result("bomb.message").contains("heap reserve"), r::describe);
    }

    @OnEachJdk
    void readAllBytesIsRefusedByTheHeapReserve(Jdk jdk) {
        JvmResult r = run(jdk, "readAllBytes");
        r.assertExit(0).assertStderrEmpty();
        r.assertResult("outcome", "refused");
        // the chunks InputStream.readNBytes reads into are charged: the reserve stops the thread filling the heap
        assertHeapReserve(r, "InputStream.readAllBytes");
        r.assertResult("alive", true).assertResult("done", true);
    }

    /**
     * The growth from 256 to 512 MiB fits the heap's totals (989 MiB, 731 free after a collection) but not
     * where the collector must put it: Serial's and Parallel's old generation (683 MiB) cannot hold both
     * arrays, and G1 on JDK 17 finds no 513 contiguous free regions above the pinned 256 MiB array. The heap
     * reserve asks the collector's figures for a growth that large and refuses it.
     */
    @OnEachJdk
    void transferToAByteArrayOutputStreamIsRefusedByTheHeapReserve(Jdk jdk) {
        JvmResult r = run(jdk, "transferTo");
        r.assertExit(0).assertStderrEmpty();
        r.assertResult("outcome", "refused");
        assertHeapReserve(r, "ByteArrayOutputStream");
        r.assertResult("alive", true).assertResult("done", true);
    }
}

package io.heapguard.it.growth;

import java.time.Duration;

import org.junit.jupiter.api.Disabled;

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
     * Fails with the built-in defaults on JDK 17 (Serial, Parallel and G1) and on JDK 25 (Serial, Parallel): the
     * ByteArrayOutputStream's growth from 256 MiB to 512 MiB is granted (the heap, 989 MiB, has 731 MiB free
     * after a collection, more than 512 MiB plus the 99 MiB reserve) but cannot be allocated: the old generation
     * (683 MiB with Serial) cannot hold both arrays, and G1 on JDK 17 finds no 513 contiguous free regions.
     * The heap reserve's model is the ledger's: reported to its owner. Passes with G1 on JDK 25.
     */
    @Disabled("the heap reserve grants a growth the old generation cannot hold; the ledger's, reported")
    @OnEachJdk
    void transferToAByteArrayOutputStreamIsRefusedByTheHeapReserve(Jdk jdk) {
        JvmResult r = run(jdk, "transferTo");
        r.assertExit(0).assertStderrEmpty();
        r.assertResult("outcome", "refused");
        assertHeapReserve(r, "ByteArrayOutputStream");
        r.assertResult("alive", true).assertResult("done", true);
    }
}

package io.heapguard.it.growth;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.growth.DoublingPastTenuredApp;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On Serial, a growth that no collection could place is refused without forcing one: 64 to 128 MiB under
 * {@code -Xmx256m}, beside 50 MiB held ({@link DoublingPastTenuredApp}). The bare JVM, trying as hard as it
 * can, ends the same write in an OutOfMemoryError: the refusal is not a false one.
 */
class DoublingPastTenuredTest {

    private static JvmResult run(Jdk jdk, boolean agent) {
        Jvm jvm = Jvm.on(jdk).options("-Xmx256m", "-XX:+UseSerialGC");
        if (agent) {
            jvm.agent();
        }
        return jvm.named("DoublingPastTenuredApp-" + (agent ? "agent" : "bare"))
                .run(DoublingPastTenuredApp.class, agent ? "agent" : "bare");
    }

    @OnEachJdk
    void isRefusedAtOnceWhereTheBareJvmRunsOutOfMemory(Jdk jdk) {
        JvmResult bare = run(jdk, false);
        bare.assertExit(0).assertResult("outcome", "OutOfMemoryError").assertResult("done", true);

        JvmResult r = run(jdk, true);
        r.assertExit(0).assertResult("outcome", "QuotaExceededException").assertResult("done", true);
        assertTrue(r.result("message").contains("heap reserve"), r::describe);
        r.assertResult("forced", 0);
        r.assertResult("size", 64 * MiB);
    }
}

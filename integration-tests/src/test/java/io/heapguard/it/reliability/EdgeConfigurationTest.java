package io.heapguard.it.reliability;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.apps.reliability.EdgeConfigApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Issue #8, item 5, the other half of "a valid configuration": one that parses must also run. Configurations at
 * the edge of validity (max-buffer 0 or a few bytes, track.min 0, a global limit of 0, the whole heap as
 * reserve), and a thread whose name is longer than track.min, under the agent: ordinary string work and one
 * 200 KiB buffer on the main thread and a new thread run to the end, each granted or refused with
 * QuotaExceededException; the JVM neither fails to start nor dies of a StackOverflowError in heapguard.
 */
class EdgeConfigurationTest {

    static Stream<Arguments> cases() {
        String[][] configs = {
                {"rule.x.targets=ByteArrayOutputStream,rule.x.max-buffer=0", "refused", "10"},
                {"rule.x.targets=ByteArrayOutputStream,rule.x.max-buffer=10", "refused", "10"},
                {"rule.x.targets=ByteArrayOutputStream,rule.x.max-buffer=64", "refused", "10"},
                {"track.min=0", "ok true", "10"},
                {"global.limit=0", "refused", "10"},
                {"heap.reserve=100%", "refused", "10"},
                {"", "ok true", "70000"}, // a thread name longer than track.min (64 KiB)
        };
        List<Arguments> all = new ArrayList<>();
        for (Jdk jdk : Jdk.values()) {
            for (String[] c : configs) {
                all.add(Arguments.of(jdk, c[0], c[1], c[2]));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} [{1}] thread name {3} chars")
    @MethodSource("cases")
    void aValidConfigurationRunsTheProgramToItsEnd(Jdk jdk, String agentArgs, String expected, String nameLength) {
        Jvm jvm = Jvm.on(jdk).named("edge-config").timeout(Reliability.timeout(60, 60));
        if (agentArgs.isEmpty()) {
            jvm.agent();
        } else {
            jvm.agent(agentArgs);
        }
        JvmResult r = jvm.run(EdgeConfigApp.class, nameLength);
        Reliability.record("edge configuration", "[" + agentArgs + "] name " + nameLength, jdk, r, "main", "thread",
                "done");
        r.assertExit(0).assertNoStackTrace();
        r.assertResult("main", expected);
        r.assertResult("thread", expected);
        r.assertResult("done", true);
    }
}

package io.heapguard.it;

import io.heapguard.it.apps.EchoApp;
import io.heapguard.it.apps.HangApp;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness itself, without the agent: output capture, environment, time bound, JDK lookup and skipping. */
class HarnessTest {

    @OnEachJdk
    void capturesOutputsStatusAndRunsTheRightJdk(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .sysProp("echo.prop", "p 1")
                .env("ECHO_ENV", "e1")
                .env("HEAPGUARD_IGNORED_BY_DEFAULT", "x").run(EchoApp.class, "3", "a", "b c");
        r.assertExit(3);
        r.assertResult("java.version", jdk.feature());
        r.assertResult("prop", "p 1");
        r.assertResult("env", "e1");
        r.assertResult("heapguard-env", true); // set explicitly, so passed
        r.assertResult("args", "3 a b c");
        assertEquals(List.of("to stderr"), r.stderrLines());
    }

    @OnEachJdk
    void inheritedHeapguardVariablesAreNotPassedOn(Jdk jdk) {
        // The child never sees HEAPGUARD_* of the build's environment unless the test sets it.
        JvmResult r = Jvm.on(jdk).run(EchoApp.class, "0");
        r.assertExit(0).assertResult("heapguard-env", false);
    }

    @OnEachJdk
    void aHungJvmIsKilledAndTheTestFailsWithItsOutput(Jdk jdk) {
        Jvm jvm = Jvm.on(jdk).timeout(Duration.ofSeconds(3));
        long start = System.nanoTime();
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> jvm.run(HangApp.class));
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertTrue(seconds < 30, "took " + seconds + " s");
        assertTrue(e.getMessage().contains("timed out after 3 s"), e.getMessage());
        assertTrue(e.getMessage().contains("RESULT started=true"), e.getMessage());
        assertTrue(e.getMessage().contains("waiting forever"), e.getMessage());
        assertTrue(e.getMessage().contains("HangApp.main"), "thread dump expected:\n" + e.getMessage());
    }

    @Test
    void aMissingJdkIsReportedAndSkipped() {
        Jdk.Lookup l = Jdk.locate(25, List.of("/no/such/jdk-25", "/also/missing"));
        assertTrue(l.home.isEmpty());
        assertEquals(List.of("/no/such/jdk-25", "/also/missing"), l.tried);
        // a JDK of another release is not taken for this one
        Path running = Path.of(System.getProperty("java.home"));
        int other = Runtime.version().feature() == 25 ? 17 : 25;
        assertFalse(Jdk.locate(other, List.of(running.toString())).home.isPresent());
        assertEquals(running.normalize(), Jdk.locate(Runtime.version().feature(), List.of(running.toString())).home.get());
    }

    @Test
    void requireHomeAbortsAsSkipped() {
        // Only observable when a JDK is really missing; otherwise it returns the home.
        for (Jdk jdk : Jdk.values()) {
            if (jdk.home().isEmpty()) {
                assertThrows(TestAbortedException.class, jdk::requireHome);
            } else {
                assertEquals(jdk.home().get(), jdk.requireHome());
            }
        }
    }
}

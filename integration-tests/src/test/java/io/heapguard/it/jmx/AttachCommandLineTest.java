package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.attach.AttachApp;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #17: {@code java -jar heapguard-agent.jar attach | status | set | list} against a JVM started without
 * heapguard. The JVM allows dynamic agents by default; on JDK 21 and newer it then prints the JDK's warning,
 * which these tests expect, unless started with {@code -XX:+EnableDynamicAgentLoading}.
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AttachCommandLineTest {
    private static final long MiB = 1L << 20;
    private static final String DYNAMIC_AGENT_WARNING = "WARNING: A Java agent has been loaded dynamically";
    private static final String RULE = "rule.big.targets=ByteBuffer.allocate,ByteArrayOutputStream,rule.big.max-buffer=16m";

    @OnEachJdk
    void attachInMonitorModeThenEnforceRefusesTheNextOversizedGrowthAtItsCallSite(Jdk jdk) {
        try (LiveJvm app = LiveJvm.on(jdk).app(AttachApp.class).noRemoteJmx().named("attach").start()) {
            String pid = Long.toString(app.pid());
            app.send("allocate before 20").assertGranted();

            JvmResult attached = cli(jdk, "attach", pid, "mode=monitor," + RULE).assertExit(0);
            assertEquals("heapguard " + version() + " attached to JVM " + pid + ", mode monitor",
                    attached.stdout().strip(), attached::describe);
            assertEquals(jdk.feature() >= 21, app.stderr().contains(DYNAMIC_AGENT_WARNING), app::describe);
            app.send("allocate watched 20").assertGranted(); // monitor: counted and logged, not refused
            Await.until(LiveJvm.STEP, () -> app.stderr().contains("heapguard monitor: would refuse ByteBuffer.allocate"),
                    true, "the monitor-mode log line");

            JvmResult again = cli(jdk, "attach", pid, "mode=enforce").assertExit(1);
            assertEquals("heapguard: heapguard " + version() + " is already attached to JVM " + pid + ", mode monitor;"
                    + " change it with 'set " + pid + " key=value', re-read its rules file with 'reload " + pid + "'",
                    again.stderr().strip(), again::describe);

            JvmResult enforce = cli(jdk, "set", pid, "mode=enforce").assertExit(0);
            assertEquals("JVM " + pid + ": mode monitor -> enforce", enforce.stdout().strip(), enforce::describe);
            LiveJvm.Reply refused = app.send("allocate refused 20").assertRefusedBy("big");
            assertTrue(refused.get("r.callSite").startsWith(AttachApp.class.getName() + ".allocate(AttachApp.java:"),
                    refused::toString);
            // A live change, then a growth only the new value refuses.
            assertEquals("JVM " + pid + ": rule.big.max-buffer 16.0 MiB -> 8.0 MiB",
                    cli(jdk, "set", pid, "rule.big.max-buffer=8m").assertExit(0).stdout().strip());
            app.send("allocate eight 12").assertRefusedBy("big").assertEquals("r.limitBytes", 8 * MiB);

            // One bad value among good ones: nothing is written.
            JvmResult bad = cli(jdk, "set", pid, "global.limit=1g", "rule.big.limit=12q").assertExit(1);
            assertEquals("heapguard: set: rule.big.limit = '12q': not a size (expected e.g. 65536, 64k, 16m, 2g, 25% or none);"
                    + " nothing changed", bad.stderr().strip(), bad::describe);
            JvmResult noRule = cli(jdk, "set", pid, "rule.nope.limit=1m").assertExit(1);
            assertEquals("heapguard: set: rule.nope.limit = '1m': no rule named 'nope' (rules in force: big); nothing changed",
                    noRule.stderr().strip());
            assertEquals(2, cli(jdk, "set", pid, "colour=blue").exitCode(), "not a key that can be set: a usage error");

            String json = cli(jdk, "status", pid, "--json").assertExit(0).stdout().strip();
            assertTrue(json.startsWith("{\"pid\":" + pid + ",\"version\":\"" + version() + "\",\"mode\":\"enforce\","), json);
            assertTrue(json.contains("\"global\":{\"usedBytes\":" + 20 * MiB + ",\"peakBytes\":" + 20 * MiB
                    + ",\"limitBytes\":-1,\"denials\":0}"), json);
            assertTrue(json.contains("\"rules\":[{\"name\":\"big\",\"usedBytes\":" + 20 * MiB + ",\"peakBytes\":"
                    + 20 * MiB + ",\"limitBytes\":-1,\"maxBufferBytes\":" + 8 * MiB), json);
            assertTrue(json.contains("\"topConsumers\":[\"20.0 MiB at " + AttachApp.class.getName() + ".allocate(AttachApp.java:"),
                    json);
            assertTrue(json.contains("\"recentRefusals\":[{\"time\":\""), json);
            assertTrue(json.contains("\"rule\":\"big\",\"target\":\"ByteBuffer.allocate\",\"requestedBytes\":" + 12 * MiB
                    + ",\"limitBytes\":" + 8 * MiB), json);

            String text = cli(jdk, "status", pid).assertExit(0).stdout();
            assertTrue(text.startsWith("heapguard " + version() + " in JVM " + pid + ": mode enforce, UP\n"), text);
            assertTrue(text.lines().anyMatch(l -> l.matches("rule big +20\\.0 MiB +20\\.0 MiB +none +8\\.0 MiB +1 +3")),
                    text);
            assertTrue(text.contains("\ntop consumers:\n  20.0 MiB at " + AttachApp.class.getName() + ".allocate("), text);
            assertTrue(text.contains("refused 12.0 MiB for ByteBuffer.allocate at " + AttachApp.class.getName()
                    + ".allocate("), text);

            String listed = cli(jdk, "list").assertExit(0).stdout();
            assertTrue(listed.lines().anyMatch(l -> l.startsWith(pid + " ") && l.contains(" " + version() + " enforce ")
                    && l.endsWith(AttachApp.class.getName())), listed);
            assertEquals(0, app.quit());
        }
    }

    @OnEachJdk
    void aBadOptionIsRefusedWithTheStartUpMessageAndTheJvmRunsOnUnguarded(Jdk jdk) {
        try (LiveJvm app = LiveJvm.on(jdk).app(AttachApp.class).noRemoteJmx()
                .options("-XX:+EnableDynamicAgentLoading").named("attach-bad").start()) {
            String pid = Long.toString(app.pid());
            JvmResult bad = cli(jdk, "attach", pid, "mode=monitr").assertExit(1);
            String message = "agent argument: mode = 'monitr': not a mode (expected enforce, monitor or off)";
            assertEquals("heapguard: " + message + "; nothing was installed, JVM " + pid + " runs unguarded",
                    bad.stderr().strip(), bad::describe);
            assertTrue(app.stderr().contains("heapguard: " + message), app::describe);
            assertFalse(app.stderr().contains(DYNAMIC_AGENT_WARNING), "-XX:+EnableDynamicAgentLoading: no warning");

            app.send("grow early 1").assertGranted(); // ByteArrayOutputStream is loaded and used before the agent comes
            app.send("allocate big 40").assertGranted();
            JvmResult status = cli(jdk, "status", pid).assertExit(1);
            assertEquals("heapguard: heapguard is not loaded in JVM " + pid + "; load it with: java -jar"
                    + " heapguard-agent.jar attach " + pid + " mode=monitor", status.stderr().strip());

            // Options may also come as several arguments.
            cli(jdk, "attach", pid, "rule.big.targets=ByteBuffer.allocate,ByteArrayOutputStream", "rule.big.max-buffer=16m")
                    .assertExit(0);
            app.send("allocate big 20").assertRefusedBy("big");
            // Retransformed live: ByteArrayOutputStream was loaded before the attach.
            app.send("grow early 20").assertRefusedBy("big").assertEquals("r.limitBytes", 16 * MiB);
            assertEquals(0, app.quit());
        }
    }

    @OnEachJdk
    void aJvmThatRefusesAttachIsSaidSo(Jdk jdk) {
        try (LiveJvm app = LiveJvm.on(jdk).app(AttachApp.class).noRemoteJmx()
                .options("-XX:+DisableAttachMechanism").named("attach-refused").start()) {
            String pid = Long.toString(app.pid());
            JvmResult refused = cli(jdk, "attach", pid, "mode=monitor").assertExit(1);
            List<String> lines = refused.stderrLines();
            assertEquals(1, lines.size(), refused::describe);
            assertTrue(lines.get(0).startsWith("heapguard: cannot attach to JVM " + pid + ": ")
                    && lines.get(0).endsWith("(a JVM started with -XX:+DisableAttachMechanism, run by another user,"
                    + " or not a HotSpot JVM refuses attach)"), refused::describe);
            app.send("allocate still 1").assertGranted();
            assertEquals(0, app.quit());
        }
        assertEquals(2, cli(jdk, "attach").exitCode());
        assertEquals(2, cli(jdk, "status", "12x").exitCode());
    }

    static JvmResult cli(Jdk jdk, String... args) {
        return Jvm.on(jdk).named("cli-" + args[0]).runJar(Build.agentJar(), args);
    }

    /** The version the agent jar reports, as the build wrote it. */
    static String version() {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(Build.agentJar().toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

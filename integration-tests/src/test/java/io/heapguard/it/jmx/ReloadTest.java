package io.heapguard.it.jmx;

import io.heapguard.it.Jdk;
import io.heapguard.it.OnEachJdk;
import org.junit.jupiter.api.Timeout;

import javax.management.ObjectName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #4: {@code reload()} re-reads the rules file, keeping the agent argument's overrides; rules added and
 * removed gain and lose their MBeans at once; a rule that stays keeps what its buffers hold; a bad file is
 * rejected with the configuration's one-line message and the running rules stay, MBeans and limits alike.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReloadTest {
    private static final String APP_RULE = "rule.app.targets=ByteBuffer.allocate,ByteArrayOutputStream\n"
            + "rule.app.callers=io.heapguard.it.apps.jmx.*\n";
    private static final ObjectName APP = Remote.rule("app");
    private static final ObjectName OLD = Remote.rule("old");
    private static final ObjectName NEW = Remote.rule("new");

    @OnEachJdk
    void reloadAppliesAGoodFileAndKeepsTheRulesOnABadOne(Jdk jdk) throws IOException {
        Path dir = Files.createTempDirectory(io.heapguard.it.Build.workDir(), "reload-");
        Path file = dir.resolve("heapguard.properties");
        write(file, "# the rules at start-up\n" + APP_RULE + "rule.app.max-buffer=8m\n"
                + "rule.old.targets=ByteArrayOutputStream\nrule.old.callers=com.example.*\nrule.old.max-buffer=16m\n");

        try (LiveJvm app = LiveJvm.on(jdk).heapguard("config=" + file + ",global.limit=64m").named("reload").start()) {
            Remote jmx = app.jmx();
            jmx.awaitRegistered(OLD, LiveJvm.STEP);
            assertEquals(file.toString(), jmx.get(Remote.AGENT, "ConfigFile"));
            assertEquals(Set.of("app", "old"), jmx.ruleNames());
            assertEquals(64 * MiB, jmx.getLong(Remote.GLOBAL, "LimitBytes"));
            assertEquals("UP", jmx.get(Remote.AGENT, "Health"));

            app.send("allocate a 3m").assertGranted();
            jmx.set(APP, "MaxBufferBytes", 2 * MiB); // a live write lasts until the next reload

            // A good file: 'old' removed, 'new' added, 'app' changed and still holding its 3 MiB.
            write(file, "# reloaded\n" + APP_RULE + "rule.app.max-buffer=1m\nrule.app.limit=16m\n"
                    + "rule.new.targets=ByteBuffer.allocate\nrule.new.callers=io.heapguard.it.apps.jmx.*\n"
                    + "rule.new.limit=4m\nhealth.min-headroom=99%\n");
            assertNull(jmx.invoke(Remote.AGENT, "reload"));
            assertEquals(Set.of("app", "new"), jmx.ruleNames());
            assertFalse(jmx.isRegistered(OLD));
            assertEquals(MiB, jmx.getLong(APP, "MaxBufferBytes"), "the file's value replaces the live write");
            assertEquals(16 * MiB, jmx.getLong(APP, "LimitBytes"));
            assertEquals(3 * MiB, jmx.getLong(APP, "UsedBytes"), "a rule that stays keeps what it holds");
            assertEquals(4 * MiB, jmx.getLong(NEW, "LimitBytes"));
            assertEquals(-1L, jmx.getLong(NEW, "MaxBufferBytes"));
            assertEquals(0L, jmx.getLong(NEW, "UsedBytes"));
            assertEquals(64 * MiB, jmx.getLong(Remote.GLOBAL, "LimitBytes"), "the agent argument still overrides");
            app.send("allocate b 2m").assertRefusedBy("app").assertEquals("r.limit", MiB);
            app.send("allocate b 1m").assertGranted();
            assertEquals(MiB, jmx.getLong(NEW, "UsedBytes"));
            assertEquals(1L, jmx.getLong(NEW, "Grants"));
            assertEquals(false, jmx.get(Remote.AGENT, "Healthy"));
            String health = (String) jmx.get(Remote.AGENT, "Health");
            assertTrue(health.startsWith("DOWN: heap headroom after the last collection ")
                    && health.contains(", below health.min-headroom "), health);

            // A bad file: rejected with the line, key and value at fault; nothing changes.
            write(file, "# broken\n" + APP_RULE + "rule.app.max-buffer=12q\n");
            String message = jmx.invokeRejected(Remote.AGENT, "reload");
            assertEquals("reload rejected, the running rules stay: file " + file + " line 4: rule.app.max-buffer = '12q': "
                    + "not a size (expected e.g. 65536, 64k, 16m, 2g, 25% or none)", message);
            write(file, "# misspelt\n" + APP_RULE + "rule.app.max-bufer=12m\n");
            String misspelt = jmx.invokeRejected(Remote.AGENT, "reload");
            assertTrue(misspelt.startsWith("reload rejected, the running rules stay: ") && misspelt.contains("max-buffer"),
                    misspelt);
            Files.delete(file);
            String missing = jmx.invokeRejected(Remote.AGENT, "reload");
            assertTrue(missing.startsWith("reload rejected, the running rules stay: ") && missing.contains(file.toString()),
                    missing);
            assertEquals(Set.of("app", "new"), jmx.ruleNames());
            assertEquals(MiB, jmx.getLong(APP, "MaxBufferBytes"));
            assertEquals(4 * MiB, jmx.getLong(NEW, "LimitBytes"));
            assertEquals(false, jmx.get(Remote.AGENT, "Healthy"));
            app.send("allocate c 2m").assertRefusedBy("app").assertEquals("r.limit", MiB);

            // Fixed again: applied.
            write(file, "# fixed\n" + APP_RULE + "rule.app.max-buffer=8m\n");
            jmx.invoke(Remote.AGENT, "reload");
            assertEquals(Set.of("app"), jmx.ruleNames());
            assertEquals(8 * MiB, jmx.getLong(APP, "MaxBufferBytes"));
            assertEquals("UP", jmx.get(Remote.AGENT, "Health"));
            app.send("allocate c 4m").assertGranted();
            assertEquals(0, app.quit());
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.OnEachJdk;
import org.junit.jupiter.api.Timeout;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #17: {@code config.watch} re-reads a rules file mounted the way Kubernetes mounts a ConfigMap: the
 * file is a symlink through {@code ..data}, itself a symlink to a timestamped directory, and an update
 * writes a new directory and renames a fresh {@code ..data_tmp} symlink over {@code ..data} atomically.
 * A broken file keeps the running rules, counts once in {@code ReloadFailures} and is logged once.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RulesFileWatchTest {
    private static final String APP_RULE = "rule.app.targets=ByteBuffer.allocate\n"
            + "rule.app.callers=io.heapguard.it.apps.jmx.*\n";
    private static final ObjectName APP = Remote.rule("app");
    private static final String BROKEN = "the rules file changed; reload rejected, the running rules stay: file ";

    @OnEachJdk
    void aConfigMapSymlinkSwapIsReloadedAndABrokenOneKeepsTheRunningRules(Jdk jdk) throws IOException {
        Path volume = Files.createTempDirectory(Build.workDir(), "configmap-");
        Path file = volume.resolve("heapguard.properties");
        publish(volume, "..2026_a", APP_RULE + "rule.app.max-buffer=8m\n");
        Files.createSymbolicLink(file, Path.of("..data/heapguard.properties"));

        try (LiveJvm app = LiveJvm.on(jdk).heapguard("config=" + file).named("configmap").start()) {
            Remote jmx = app.jmx();
            app.send("allocate a 4m").assertGranted();

            publish(volume, "..2026_b", APP_RULE + "rule.app.max-buffer=2m\n");
            Await.until(LiveJvm.STEP, () -> jmx.getLong(APP, "MaxBufferBytes"), 2 * MiB, "max-buffer after the swap");
            app.send("allocate b 4m").assertRefusedBy("app");

            publish(volume, "..2026_c", APP_RULE + "rule.app.max-buffer=12q\n");
            Await.until(LiveJvm.STEP, () -> jmx.getLong(Remote.AGENT, "ReloadFailures"), 1L, "ReloadFailures");
            assertEquals(2 * MiB, jmx.getLong(APP, "MaxBufferBytes"), "the running rules stay");
            app.send("allocate c 4m").assertRefusedBy("app");

            // The same broken content again, then a good file: the broken one is neither retried nor logged again.
            publish(volume, "..2026_d", APP_RULE + "rule.app.max-buffer=12q\n");
            publish(volume, "..2026_e", APP_RULE + "rule.app.max-buffer=16m\n");
            Await.until(LiveJvm.STEP, () -> jmx.getLong(APP, "MaxBufferBytes"), 16 * MiB, "max-buffer after the fix");
            app.send("allocate d 4m").assertGranted();
            assertEquals(1L, jmx.getLong(Remote.AGENT, "ReloadFailures"));
            ThreadInfo watcher = watcherThread(jmx);
            assertTrue(watcher.isDaemon(), watcher::toString);
            assertEquals(Thread.State.WAITING, watcher.getThreadState(), "blocked on the next change, not spinning: " + watcher);
            String stderr = app.stderr();
            assertEquals(1, stderr.split(java.util.regex.Pattern.quote(BROKEN), -1).length - 1, app::describe);
            assertEquals(true, stderr.contains(BROKEN + file + " line 3: rule.app.max-buffer = '12q': not a size"),
                    app::describe);
            assertEquals(0, app.quit());
        }
    }

    @OnEachJdk
    void aPlainFileEditedInPlaceIsReloaded(Jdk jdk) throws IOException {
        Path file = Files.createTempDirectory(Build.workDir(), "watched-").resolve("heapguard.properties");
        Files.writeString(file, APP_RULE + "rule.app.max-buffer=8m\n");
        try (LiveJvm app = LiveJvm.on(jdk).heapguard("config=" + file).named("watched").start()) {
            Remote jmx = app.jmx();
            Files.writeString(file, APP_RULE + "rule.app.max-buffer=2m\nrule.new.limit=1m\n");
            Await.until(LiveJvm.STEP, () -> jmx.getLong(APP, "MaxBufferBytes"), 2 * MiB, "max-buffer after the edit");
            assertEquals(java.util.Set.of("app", "new"), jmx.ruleNames(), "a rule added by the file gets its MBean");
            app.send("allocate a 4m").assertRefusedBy("app");
            assertEquals(0L, jmx.getLong(Remote.AGENT, "ReloadFailures"));
            assertEquals(0, app.quit());
        }
    }

    private static ThreadInfo watcherThread(Remote jmx) throws IOException {
        ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(jmx.connection(),
                ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
        for (ThreadInfo t : threads.dumpAllThreads(false, false)) {
            if (t.getThreadName().equals("heapguard-config-watch")) {
                return t;
            }
        }
        throw new AssertionError("no thread heapguard-config-watch");
    }

    /**
     * What the kubelet does: writes the files into a new directory, points a new {@code ..data_tmp} symlink at
     * it, renames that over {@code ..data} in one step, and removes the previous directory.
     */
    private static void publish(Path volume, String version, String text) {
        try {
            Path data = volume.resolve("..data");
            Path previous = Files.isSymbolicLink(data) ? volume.resolve(Files.readSymbolicLink(data)) : null;
            Files.createDirectory(volume.resolve(version));
            Files.writeString(volume.resolve(version).resolve("heapguard.properties"), text);
            Path tmp = volume.resolve("..data_tmp");
            Files.createSymbolicLink(tmp, Path.of(version));
            Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE);
            if (previous != null) {
                Files.delete(previous.resolve("heapguard.properties"));
                Files.delete(previous);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

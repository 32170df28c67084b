package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.jmx.JmxApp;
import org.junit.jupiter.api.Timeout;

import javax.management.ObjectName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.jar.JarFile;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #4, live control over remote JMX (127.0.0.1, a free port, {@code JMXConnectorFactory}), in a real JVM
 * driven step by step ({@link JmxApp}): every writable attribute changes what the ledger decides at the very
 * next growth; invalid writes are rejected with a clear message and change nothing; {@code UsedBytes} and
 * {@code PeakBytes} match what the application holds; the counters are exact; a refusal names the top
 * consumers.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LiveControlTest {
    /** The application's own buffers, whichever growth point; JDK code (RMI, JFR) is not matched. */
    static final String RULES = "rule.app.targets=ByteBuffer.allocate,ByteArrayOutputStream,"
            + "rule.app.callers=io.heapguard.it.apps.jmx.*,rule.app.max-buffer=8m,rule.app.limit=32m";
    private static final ObjectName APP = Remote.rule("app");

    @OnEachJdk
    void writableAttributesChangeTheLimitsAtOnce(Jdk jdk) {
        try (LiveJvm app = LiveJvm.on(jdk).heapguard(RULES).named("live-limits").start()) {
            Remote jmx = app.jmx();
            jmx.awaitRegistered(APP, LiveJvm.STEP);
            long maxHeap = app.send("info").getLong("max-heap");

            assertEquals(agentJarVersion(), jmx.get(Remote.AGENT, "Version"));
            assertEquals("enforce", jmx.get(Remote.AGENT, "Mode"));
            assertEquals(8 * MiB, jmx.getLong(APP, "MaxBufferBytes"));
            assertEquals(32 * MiB, jmx.getLong(APP, "LimitBytes"));
            assertEquals(-1L, jmx.getLong(Remote.GLOBAL, "LimitBytes"));
            assertEquals(maxHeap / 10, jmx.getLong(Remote.AGENT, "HeapReserveBytes"), "heap.reserve 10% by default");
            assertEquals("", jmx.get(Remote.AGENT, "ConfigFile"));

            // Rule MaxBufferBytes: a ByteArrayOutputStream grown to 4 MiB may not double once it is lowered to
            // 1 MiB, and may once it is raised to 16 MiB; the refused buffer keeps its size and content.
            app.send("grow up 4m").assertGranted().assertEquals("size", 4 * MiB);
            jmx.set(APP, "MaxBufferBytes", MiB);
            assertEquals(MiB, jmx.getLong(APP, "MaxBufferBytes"));
            app.send("grow up 1m").assertRefusedBy("app").assertEquals("r.limit", MiB)
                    .assertEquals("r.requested", 8 * MiB).assertEquals("r.target", "ByteArrayOutputStream")
                    .assertEquals("size", 4 * MiB).assertEquals("intact", true);
            jmx.set(APP, "MaxBufferBytes", 16 * MiB);
            app.send("grow up 1m").assertGranted().assertEquals("size", 5 * MiB).assertEquals("intact", true);
            jmx.set(APP, "MaxBufferBytes", -1L);
            app.send("allocate big 12m").assertGranted();
            app.send("drop big").assertEquals("dropped", true);
            app.send("drop up").assertEquals("dropped", true);
            Await.until(Duration.ofSeconds(10), () -> jmx.getLong(APP, "UsedBytes"), 0L, "app UsedBytes after drops");
            jmx.set(APP, "MaxBufferBytes", 8 * MiB);

            // Rule LimitBytes: what the rule's buffers may hold together.
            app.send("allocate a 3m").assertGranted();
            jmx.set(APP, "LimitBytes", 4 * MiB);
            app.send("allocate b 2m").assertRefusedBy("app").assertEquals("r.limit", 4 * MiB)
                    .assertEquals("r.used", 3 * MiB);
            jmx.set(APP, "LimitBytes", -1L);
            app.send("allocate b 2m").assertGranted();

            // Global LimitBytes: everything guarded together.
            jmx.set(Remote.GLOBAL, "LimitBytes", 4 * MiB);
            assertEquals(4 * MiB, jmx.getLong(Remote.GLOBAL, "LimitBytes"));
            app.send("allocate c 2m").assertRefusedBy("global").assertEquals("r.limit", 4 * MiB);
            jmx.set(Remote.GLOBAL, "LimitBytes", -1L);
            app.send("allocate c 2m").assertGranted();

            // HeapReserveBytes: the whole heap reserved refuses the thread holding the most.
            jmx.set(Remote.AGENT, "HeapReserveBytes", maxHeap);
            app.send("allocate d 1m").assertRefusedBy("heap-reserve").assertEquals("r.limit", maxHeap);
            jmx.set(Remote.AGENT, "HeapReserveBytes", 0L);
            app.send("allocate d 1m").assertGranted();

            // Mode: monitor grants and counts, off neither charges nor counts, enforce refuses again.
            long denials = jmx.getLong(Remote.AGENT, "Denials");
            long ruleDenials = jmx.getLong(APP, "Denials");
            long grants = jmx.getLong(APP, "Grants");
            jmx.set(Remote.AGENT, "Mode", "monitor");
            assertEquals("monitor", jmx.get(Remote.AGENT, "Mode"));
            app.send("allocate e 9m").assertGranted();
            assertEquals(denials + 1, jmx.getLong(Remote.AGENT, "Denials"));
            assertEquals(ruleDenials + 1, jmx.getLong(APP, "Denials"));
            assertEquals(grants + 1, jmx.getLong(APP, "Grants"), "monitor mode grants and charges");
            jmx.set(Remote.AGENT, "Mode", "off");
            app.send("allocate f 9m").assertGranted();
            assertEquals(denials + 1, jmx.getLong(Remote.AGENT, "Denials"), "mode off counts nothing");
            assertEquals(grants + 1, jmx.getLong(APP, "Grants"), "mode off charges nothing");
            jmx.set(Remote.AGENT, "Mode", " ENFORCE ");
            assertEquals("enforce", jmx.get(Remote.AGENT, "Mode"));
            app.send("allocate g 9m").assertRefusedBy("app").assertEquals("r.limit", 8 * MiB);
            assertEquals(0, app.quit());
        }
    }

    @OnEachJdk
    void invalidWritesAreRejectedClearlyAndChangeNothing(Jdk jdk) {
        try (LiveJvm app = LiveJvm.on(jdk).heapguard(RULES).named("live-invalid").start()) {
            Remote jmx = app.jmx();
            jmx.awaitRegistered(APP, LiveJvm.STEP);
            long maxHeap = app.send("info").getLong("max-heap");

            assertEquals("LimitBytes must be -1 (none) or at least 0, was -2", jmx.setRejected(APP, "LimitBytes", -2L));
            assertEquals("MaxBufferBytes must be -1 (none) or at least 0, was " + Long.MIN_VALUE,
                    jmx.setRejected(APP, "MaxBufferBytes", Long.MIN_VALUE));
            assertEquals("LimitBytes must be -1 (none) or at least 0, was -5",
                    jmx.setRejected(Remote.GLOBAL, "LimitBytes", -5L));
            assertEquals("Mode = 'bogus': expected one of enforce, monitor, off",
                    jmx.setRejected(Remote.AGENT, "Mode", "bogus"));
            assertEquals("Mode = '': expected one of enforce, monitor, off", jmx.setRejected(Remote.AGENT, "Mode", ""));
            String reserve = jmx.setRejected(Remote.AGENT, "HeapReserveBytes", -1L);
            assertEquals("HeapReserveBytes must be between 0 and the maximum heap (" + maxHeap + "), was -1", reserve);
            String tooBig = jmx.setRejected(Remote.AGENT, "HeapReserveBytes", maxHeap + 1);
            assertTrue(tooBig.startsWith("HeapReserveBytes must be between 0 and the maximum heap"), tooBig);

            // ... and the limits in force are the configured ones: the ledger obeys them.
            assertEquals("enforce", jmx.get(Remote.AGENT, "Mode"));
            assertEquals(-1L, jmx.getLong(Remote.GLOBAL, "LimitBytes"));
            app.send("allocate a 9m").assertRefusedBy("app").assertEquals("r.limit", 8 * MiB);
            app.send("allocate a 8m").assertGranted();
            assertEquals(0, app.quit());
        }
    }

    @OnEachJdk
    void usedAndPeakMatchWhatTheApplicationHoldsAndCountersAreExact(Jdk jdk) {
        try (LiveJvm app = LiveJvm.on(jdk).heapguard(RULES).named("live-accounting").start()) {
            Remote jmx = app.jmx();
            jmx.awaitRegistered(APP, LiveJvm.STEP);
            assertEquals(0L, jmx.getLong(APP, "UsedBytes"));
            assertEquals(0L, jmx.getLong(APP, "Grants"));
            assertEquals(0L, jmx.getLong(APP, "Denials"));
            long agentDenials = jmx.getLong(Remote.AGENT, "Denials");
            long globalDenials = jmx.getLong(Remote.GLOBAL, "Denials");

            // Three call sites hold 3 + 5 + 2 MiB; below track.min (64 KiB) nothing is charged or counted.
            app.send("allocate x 3m a").assertGranted();
            app.send("allocate y 5m b").assertGranted();
            app.send("allocate z 2m c").assertGranted();
            app.send("allocate small 60k a").assertGranted();
            assertEquals(10 * MiB, jmx.getLong(APP, "UsedBytes"));
            assertEquals(10 * MiB, jmx.getLong(APP, "PeakBytes"));
            assertEquals(3L, jmx.getLong(APP, "Grants"));
            long globalUsed = jmx.getLong(Remote.GLOBAL, "UsedBytes");
            assertTrue(globalUsed >= 10 * MiB, "Global UsedBytes " + globalUsed + " includes the rule's 10 MiB");
            assertTrue(jmx.getLong(Remote.GLOBAL, "PeakBytes") >= globalUsed);
            assertTrue(jmx.getLong(Remote.AGENT, "LiveCharges") >= 3);

            // Dropped and collected: credited; the peak stays until reset.
            app.send("drop y").assertEquals("dropped", true);
            Await.until(Duration.ofSeconds(10), () -> jmx.getLong(APP, "UsedBytes"), 5 * MiB,
                    "app UsedBytes once the 5 MiB buffer is collected");
            assertEquals(10 * MiB, jmx.getLong(APP, "PeakBytes"));
            jmx.invoke(APP, "resetPeak");
            assertEquals(5 * MiB, jmx.getLong(APP, "PeakBytes"));
            jmx.invoke(Remote.GLOBAL, "resetPeak");
            assertEquals(jmx.getLong(Remote.GLOBAL, "UsedBytes"), jmx.getLong(Remote.GLOBAL, "PeakBytes"));

            // A live limit refuses and names the top consumers of that rule, largest first.
            jmx.set(APP, "LimitBytes", 8 * MiB);
            LiveJvm.Reply r = app.send("allocate w 4m c").assertRefusedBy("app").assertEquals("r.used", 5 * MiB)
                    .assertEquals("r.limit", 8 * MiB).assertEquals("r.requested", 4 * MiB)
                    .assertEquals("r.callsite-class", JmxApp.class.getName());
            String top = r.get("r.top");
            String[] consumers = top.split("; ");
            assertEquals(2, consumers.length, top);
            assertTrue(consumers[0].startsWith("3.0 MiB at " + JmxApp.class.getName() + ".siteA(JmxApp.java:"), top);
            assertTrue(consumers[1].startsWith("2.0 MiB at " + JmxApp.class.getName() + ".siteC(JmxApp.java:"), top);
            assertTrue(r.get("r.message").contains("top consumers: " + consumers[0]), r.get("r.message"));

            // Refusals by max-buffer (4) and by the live limit (1, above): exact, on the rule and the agent;
            // none by the global limit.
            LiveJvm.Reply burst = app.send("burst 4 9m");
            burst.assertEquals("refused", 4).assertEquals("granted", 0);
            assertEquals(5L, jmx.getLong(APP, "Denials"));
            assertEquals(agentDenials + 5, jmx.getLong(Remote.AGENT, "Denials"));
            assertEquals(globalDenials, jmx.getLong(Remote.GLOBAL, "Denials"));
            assertEquals(3L, jmx.getLong(APP, "Grants"), "refusals are not grants");
            assertEquals(5 * MiB, jmx.getLong(APP, "UsedBytes"), "a refusal charges nothing");
            assertFalse(jmx.getLong(Remote.AGENT, "ForcedCollections") < 0);
            assertEquals(0, app.quit());
        }
    }

    static String agentJarVersion() {
        try (JarFile jar = new JarFile(Build.agentJar().toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

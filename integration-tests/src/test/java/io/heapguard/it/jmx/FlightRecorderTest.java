package io.heapguard.it.jmx;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.jmx.JmxApp;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #4: a recording started with {@code -XX:StartFlightRecording} (default settings) contains each refusal
 * as a {@code heapguard.Refusal} event, with its fields and the stack of the refused growth, and no
 * {@code heapguard.Growth} event (off by default: one per tracked growth is too many for an always-on
 * recording). A recording with the settings file {@code src/test/resources/jmx/heapguard.jfc} has the granted
 * growths too; in a JVM of its own, because JFR records an event in every running recording once any of them
 * enables it. Both are read back with {@link RecordingFile} once the JVM has exited ({@code dumponexit=true}).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FlightRecorderTest {
    private static final String SITE = JmxApp.class.getName() + ".site";
    private static final String RULES = LiveControlTest.RULES.replace("rule.app.limit=32m", "rule.app.limit=4m");

    @OnEachJdk
    void aRecordingContainsTheRefusalsWithTheirStacks(Jdk jdk) throws IOException {
        LiveJvm.Builder jvm = LiveJvm.on(jdk).heapguard(RULES).noRemoteJmx().named("jfr-default");
        Path recording = jvm.dir().resolve("always-on.jfr");
        jvm.options("-XX:StartFlightRecording=filename=" + recording + ",dumponexit=true");
        run(jvm);

        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        List<RecordedEvent> refusals = named(events, "heapguard.Refusal");
        assertEquals(2, refusals.size(), () -> "refusals in " + recording + ": " + refusals);
        assertEquals(List.of(), named(events, "heapguard.Growth"), "heapguard.Growth is off by default");

        RecordedEvent perBuffer = refusals.get(0);
        assertEquals("app", perBuffer.getString("rule"));
        assertEquals("ByteBuffer.allocate", perBuffer.getString("target"));
        assertEquals(9 * MiB, perBuffer.getLong("requested"));
        assertEquals(8 * MiB, perBuffer.getLong("limit"));
        assertEquals(0L, perBuffer.getLong("used"));
        assertTrue(perBuffer.getString("callSite").startsWith(SITE + "B(JmxApp.java:"), perBuffer.getString("callSite"));
        assertTrue(perBuffer.getBoolean("enforced"));
        assertEquals("", perBuffer.getString("topConsumers"));
        assertTrue(stack(perBuffer).contains(SITE + "B"), () -> "stack of " + perBuffer);
        assertTrue(stack(perBuffer).contains("java.nio.ByteBuffer.allocate"), () -> "stack of " + perBuffer);
        assertEquals("main", perBuffer.getThread().getJavaName());

        RecordedEvent limit = refusals.get(1);
        assertEquals(4 * MiB, limit.getLong("limit"));
        assertEquals(3 * MiB, limit.getLong("used"));
        assertEquals(2 * MiB, limit.getLong("requested"));
        assertTrue(limit.getString("topConsumers").startsWith("3.0 MiB at " + SITE + "A(JmxApp.java:"),
                limit.getString("topConsumers"));
        assertTrue(stack(limit).contains(SITE + "C"), () -> "stack of " + limit);
    }

    /** With {@code settings=heapguard.jfc} (both events on) a recording has the granted growths too. */
    @OnEachJdk
    void theSettingsFileAddsTheGrowths(Jdk jdk) throws IOException {
        LiveJvm.Builder jvm = LiveJvm.on(jdk).heapguard(RULES).noRemoteJmx().named("jfr-growth");
        Path recording = jvm.dir().resolve("heapguard.jfr");
        jvm.options("-XX:StartFlightRecording=filename=" + recording + ",dumponexit=true,settings=" + jfc());
        run(jvm);

        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        assertEquals(2, named(events, "heapguard.Refusal").size(), () -> "refusals in " + recording);
        List<RecordedEvent> growths = named(events, "heapguard.Growth").stream()
                .filter(e -> stack(e).contains(SITE)).collect(Collectors.toList());
        assertEquals(1, growths.size(), () -> "growths by the app in " + recording + ": " + growths);
        RecordedEvent granted = growths.get(0);
        assertEquals("ByteBuffer.allocate", granted.getString("target"));
        assertEquals(0L, granted.getLong("from"));
        assertEquals(3 * MiB, granted.getLong("to"));
        assertTrue(stack(granted).contains(SITE + "A"), () -> "stack of " + granted);
        assertEquals(List.of(), events.stream().filter(e -> !e.getEventType().getName().startsWith("heapguard."))
                .map(e -> e.getEventType().getName()).distinct().collect(Collectors.toList()),
                "heapguard.jfc records heapguard's events only");
    }

    /**
     * A recording started while the JVM runs (here {@code jcmd JFR.start}) gets the refusals too: heapguard hooks
     * its events up only once Flight Recorder is initialized, which that recording does.
     */
    @OnEachJdk
    void aRecordingStartedLaterContainsTheRefusalsMadeAfterIt(Jdk jdk) throws Exception {
        LiveJvm.Builder jvm = LiveJvm.on(jdk).heapguard(RULES).noRemoteJmx().named("jfr-later");
        Path recording = jvm.dir().resolve("later.jfr");
        try (LiveJvm app = jvm.start()) {
            app.send("await-mbeans").assertEquals("registered", true);
            app.send("allocate b 9m b").assertRefusedBy("app"); // before any recording: in none
            Jvm.jcmd(jdk.java(), app.pid(), Duration.ofSeconds(60), "JFR.start", "name=later", "filename=" + recording,
                    "dumponexit=true");
            app.send("allocate c 9m c").assertRefusedBy("app");
            assertEquals(0, app.quit());
        }
        List<RecordedEvent> refusals = named(RecordingFile.readAllEvents(recording), "heapguard.Refusal");
        assertEquals(1, refusals.size(), () -> "refusals in " + recording + ": " + refusals);
        assertTrue(stack(refusals.get(0)).contains(SITE + "C"), () -> "stack of " + refusals.get(0));
    }

    /** One growth granted (3 MiB at site a), two refused: by max-buffer (site b), by the limit (site c). */
    private static void run(LiveJvm.Builder jvm) {
        try (LiveJvm app = jvm.start()) {
            // heapguard's JFR events are hooked up on its background thread before its MBeans are registered
            app.send("await-mbeans").assertEquals("registered", true);
            app.send("allocate a 3m a").assertGranted();
            app.send("allocate b 9m b").assertRefusedBy("app"); // max-buffer 8m
            app.send("allocate c 2m c").assertRefusedBy("app"); // limit 4m, 3 MiB held at site a
            assertEquals(0, app.quit());
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    /** The event's stack as {@code class.method} names, outermost last. */
    private static String stack(RecordedEvent e) {
        if (e.getStackTrace() == null) {
            return "(no stack trace)";
        }
        return e.getStackTrace().getFrames().stream()
                .map((RecordedFrame f) -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
                .collect(Collectors.joining(" < "));
    }

    static Path jfc() {
        try {
            Path p = Paths.get(FlightRecorderTest.class.getResource("/jmx/heapguard.jfc").toURI());
            assertTrue(Files.isRegularFile(p), p::toString);
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

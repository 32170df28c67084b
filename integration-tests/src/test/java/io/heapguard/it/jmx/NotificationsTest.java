package io.heapguard.it.jmx;

import io.heapguard.it.Jdk;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.jmx.JmxApp;
import org.junit.jupiter.api.Timeout;

import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #4: a remote client subscribed to {@code io.heapguard:type=Agent} receives an {@code io.heapguard.denied}
 * notification per refusal, whose {@code CompositeData} says what was refused and who holds the most; they are
 * rate-limited by {@code notify.max-per-second}, and what was dropped is counted exactly, in
 * {@code DroppedNotifications} and in the next notification's {@code droppedBefore}; a refusal storm turns the
 * {@code Healthy} attribute false.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotificationsTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(10);
    private static final ObjectName APP = Remote.rule("app");
    private static final String SITE_A = JmxApp.class.getName() + ".siteA(JmxApp.java:";

    @OnEachJdk
    void aRefusalIsNotifiedWithWhatWasRefusedAndTheTopConsumers(Jdk jdk) {
        try (LiveJvm app = LiveJvm.on(jdk).heapguard(LiveControlTest.RULES).named("notify-content").start()) {
            Remote jmx = app.jmx();
            jmx.awaitRegistered(APP, LiveJvm.STEP);
            Remote.Notifications received = jmx.subscribe();

            // max-buffer: no top consumers (one buffer's size is the question, not who holds what)
            app.send("allocate a 9m").assertRefusedBy("app");
            Notification n = received.next(ARRIVAL);
            assertEquals(Remote.DENIED, n.getType());
            assertEquals(Remote.AGENT, n.getSource());
            assertTrue(n.getMessage().startsWith("refused 9.0 MiB for ByteBuffer.allocate at " + SITE_A), n.getMessage());
            assertTrue(n.getMessage().endsWith(" (app)"), n.getMessage());
            CompositeData d = (CompositeData) n.getUserData();
            assertEquals(Set.of("rule", "target", "requestedBytes", "limitBytes", "usedBytes", "callSite", "thread",
                    "enforced", "topConsumers", "droppedBefore"), d.getCompositeType().keySet());
            assertEquals("app", d.get("rule"));
            assertEquals("ByteBuffer.allocate", d.get("target"));
            assertEquals(9 * MiB, d.get("requestedBytes"));
            assertEquals(8 * MiB, d.get("limitBytes"));
            assertEquals(0L, d.get("usedBytes"));
            assertTrue(((String) d.get("callSite")).startsWith(SITE_A), (String) d.get("callSite"));
            assertEquals("main", d.get("thread"));
            assertEquals(true, d.get("enforced"));
            assertEquals("", d.get("topConsumers"));
            assertEquals(0L, d.get("droppedBefore"));

            // a live limit: the top consumers of that rule, largest first, as in the exception's message
            app.send("allocate x 3m a").assertGranted();
            app.send("allocate y 2m b").assertGranted();
            jmx.set(APP, "LimitBytes", 6 * MiB);
            LiveJvm.Reply refused = app.send("allocate z 2m c").assertRefusedBy("app");
            Notification limit = received.next(ARRIVAL);
            CompositeData l = (CompositeData) limit.getUserData();
            assertEquals(6 * MiB, l.get("limitBytes"));
            assertEquals(5 * MiB, l.get("usedBytes"));
            assertEquals(refused.get("r.top"), l.get("topConsumers"));
            String[] top = ((String) l.get("topConsumers")).split("; ");
            assertEquals(2, top.length, (String) l.get("topConsumers"));
            assertTrue(top[0].startsWith("3.0 MiB at " + SITE_A), top[0]);
            assertTrue(top[1].startsWith("2.0 MiB at " + JmxApp.class.getName() + ".siteB(JmxApp.java:"), top[1]);
            assertTrue(limit.getSequenceNumber() > n.getSequenceNumber());

            // monitor mode: notified as a refusal that was not enforced
            jmx.set(Remote.AGENT, "Mode", "monitor");
            app.send("allocate z 2m c").assertGranted();
            Notification monitored = received.next(ARRIVAL);
            assertTrue(monitored.getMessage().startsWith("would refuse 2.0 MiB"), monitored.getMessage());
            assertEquals(false, ((CompositeData) monitored.getUserData()).get("enforced"));

            assertEquals(3L, jmx.getLong(Remote.AGENT, "Denials"));
            assertEquals(0L, jmx.getLong(Remote.AGENT, "DroppedNotifications"));
            assertNull(received.poll(), "one notification per refusal");
            assertEquals(0, app.quit());
        }
    }

    /**
     * {@code notify.max-per-second=3}: a burst of 60 refusals sends at most a few notifications and counts
     * the rest; then single refusals until the next one is let through, whose {@code droppedBefore} says how
     * many went unsent before it. Nothing is lost in the counting: received + dropped = refusals, and the
     * {@code droppedBefore} items add up to {@code DroppedNotifications}.
     */
    @OnEachJdk
    void notificationsAreRateLimitedAndTheDroppedAreCounted(Jdk jdk) {
        String args = LiveControlTest.RULES + ",notify.max-per-second=3,health.window=10s,health.max-refusal-rate=1";
        try (LiveJvm app = LiveJvm.on(jdk).heapguard(args).named("notify-rate").start()) {
            Remote jmx = app.jmx();
            jmx.awaitRegistered(APP, LiveJvm.STEP);
            assertEquals(true, jmx.get(Remote.AGENT, "Healthy"));
            assertEquals("UP", jmx.get(Remote.AGENT, "Health"));
            assertEquals(0.0, (Double) jmx.get(Remote.AGENT, "RefusalRate"));
            long headroom = jmx.getLong(Remote.AGENT, "HeapHeadroomBytes");
            long maxHeap = app.send("info").getLong("max-heap");
            assertTrue(headroom > 0 && headroom <= maxHeap, "HeapHeadroomBytes " + headroom + " of " + maxHeap);
            Remote.Notifications received = jmx.subscribe();

            app.send("burst 60 9m").assertEquals("refused", 60);
            long dropped = jmx.getLong(Remote.AGENT, "DroppedNotifications");
            // a burst takes milliseconds: one or two one-second windows of 3, unless the machine is very slow
            assertTrue(dropped >= 30, "60 refusals in a burst, 3 notifications a second: dropped " + dropped);
            List<Notification> all = new ArrayList<>();
            for (long i = 0; i < 60 - dropped; i++) {
                all.add(received.next(ARRIVAL));
            }

            // Single refusals until one is notified again (the next second): its droppedBefore is what was
            // dropped since the notification before it.
            int refusals = 60;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            boolean notified = false;
            while (!notified && System.nanoTime() < deadline) {
                app.send("burst 1 9m").assertEquals("refused", 1);
                refusals++;
                long now = jmx.getLong(Remote.AGENT, "DroppedNotifications");
                notified = now == dropped;
                dropped = now;
            }
            assertTrue(notified, "no notification let through within 20 s of refusals");
            Notification last = received.next(ARRIVAL);
            all.add(last);
            long lastDroppedBefore = (Long) ((CompositeData) last.getUserData()).get("droppedBefore");
            assertTrue(lastDroppedBefore > 0, "the notification after a dropped run says how many: " + lastDroppedBefore);

            long sumDroppedBefore = 0;
            long sequence = -1;
            for (Notification n : all) {
                sumDroppedBefore += (Long) ((CompositeData) n.getUserData()).get("droppedBefore");
                assertTrue(n.getSequenceNumber() > sequence, "sequence numbers increase");
                sequence = n.getSequenceNumber();
            }
            assertEquals(dropped, sumDroppedBefore, "droppedBefore items add up to DroppedNotifications");
            assertEquals(refusals, all.size() + dropped, "every refusal notified or counted as dropped");
            assertEquals((long) refusals, jmx.getLong(Remote.AGENT, "Denials"));
            assertEquals((long) refusals, jmx.getLong(APP, "Denials"));
            assertNull(received.poll(), "no more notifications than refusals let through");

            // 60+ refusals in a 10 s window is above 1 a second: unhealthy, and the reason is given.
            double rate = (Double) jmx.get(Remote.AGENT, "RefusalRate");
            assertTrue(rate >= 6.0, "RefusalRate " + rate + " after 60+ refusals in a 10 s window");
            assertEquals(false, jmx.get(Remote.AGENT, "Healthy"));
            String health = (String) jmx.get(Remote.AGENT, "Health");
            assertTrue(health.startsWith("DOWN: ") && health.contains("refusals/s over 10 s, above health.max-refusal-rate 1.0"),
                    health);
            assertFalse(app.stderr().contains("Exception"), app::stderr);
            assertEquals(0, app.quit());
        }
    }
}

package io.heapguard.it.apps.jmx;

import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.heapguard.it.apps.Report.result;

/**
 * What a JMX client finds at the moment {@code io.heapguard:type=Agent} is registered, the signal clients are
 * told to wait for. A {@code -javaagent} placed before heapguard's ({@code premain} runs first, so nothing is
 * registered yet) subscribes to the MBean server delegate; registration notifications are delivered on the
 * registering thread, so the listener sees exactly the state at that moment: whether {@code type=Global} and
 * the rule {@code app} are registered, and whether a refusal made then is notified to a subscriber of the
 * Agent MBean. {@code main} reports it: {@code global-registered}, {@code rule-registered},
 * {@code notified} (notifications received for that one refusal), {@code refused}.
 */
public final class RegistrationWatcher {
    private static final CountDownLatch SEEN = new CountDownLatch(1);
    private static volatile boolean globalRegistered;
    private static volatile boolean ruleRegistered;
    private static volatile boolean refused;
    private static final AtomicInteger NOTIFIED = new AtomicInteger();
    private static volatile String error = "none";

    private RegistrationWatcher() {
    }

    public static void premain(String args, Instrumentation inst) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName agent = new ObjectName("io.heapguard:type=Agent");
        NotificationListener onRegistration = new NotificationListener() {
            @Override
            public void handleNotification(Notification n, Object handback) {
                if (!(n instanceof MBeanServerNotification)
                        || !MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(n.getType())
                        || !agent.equals(((MBeanServerNotification) n).getMBeanName())) {
                    return;
                }
                try {
                    globalRegistered = server.isRegistered(new ObjectName("io.heapguard:type=Global"));
                    ruleRegistered = server.isRegistered(new ObjectName("io.heapguard:type=Rule,name=app"));
                    NotificationListener count = (denied, hb) -> NOTIFIED.incrementAndGet();
                    server.addNotificationListener(agent, count, null, null);
                    try {
                        ByteBuffer.allocate(9 << 20); // over the rule's max-buffer
                    } catch (RuntimeException e) {
                        // not a catch of QuotaExceededException: this class is linked before heapguard has
                        // defined it in the bootstrap class loader
                        refused = e.getClass().getName().equals("io.heapguard.QuotaExceededException");
                    }
                    server.removeNotificationListener(agent, count);
                } catch (Exception | LinkageError e) {
                    error = e.toString();
                } finally {
                    SEEN.countDown();
                }
            }
        };
        server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, onRegistration, null, null);
    }

    public static void main(String[] args) throws InterruptedException {
        boolean seen = SEEN.await(20, TimeUnit.SECONDS);
        result("seen", seen);
        result("error", error);
        result("global-registered", globalRegistered);
        result("rule-registered", ruleRegistered);
        result("refused", refused);
        result("notified", NOTIFIED.get());
    }
}

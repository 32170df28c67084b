package io.heapguard.it.apps.reliability;

import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.relation.MBeanServerNotificationFilter;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waits, without sleeping, for heapguard's MBeans, which the agent registers on a background thread. */
public final class MBeans {
    public static final String AGENT = "io.heapguard:type=Agent";
    public static final String GLOBAL = "io.heapguard:type=Global";

    private MBeans() {
    }

    public static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (Exception e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    /**
     * Waits until {@code name} is registered: a listener on the MBean server delegate's registration
     * notifications, then a check (so a registration before the listener is not missed), then a bounded wait.
     *
     * @return whether it is registered
     */
    public static boolean awaitRegistered(String name, long timeoutMillis) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName target = name(name);
        CountDownLatch registered = new CountDownLatch(1);
        MBeanServerNotificationFilter filter = new MBeanServerNotificationFilter();
        filter.enableAllObjectNames();
        filter.enableType(MBeanServerNotification.REGISTRATION_NOTIFICATION);
        NotificationListener listener = (Notification n, Object handback) -> {
            if (n instanceof MBeanServerNotification && target.equals(((MBeanServerNotification) n).getMBeanName())) {
                registered.countDown();
            }
        };
        server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, filter, null);
        try {
            if (server.isRegistered(target)) {
                return true;
            }
            return registered.await(timeoutMillis, TimeUnit.MILLISECONDS) || server.isRegistered(target);
        } finally {
            server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
        }
    }
}

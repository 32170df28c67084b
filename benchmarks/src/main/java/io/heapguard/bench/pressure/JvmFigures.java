package io.heapguard.bench.pressure;

import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.MalformedObjectNameException;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The collector's and heapguard's counters at one moment: collections and their time from every
 * {@link GarbageCollectorMXBean} (stop-the-world pauses on Serial, Parallel and G1; JDK 20 and later also count
 * G1's Remark and Cleanup pauses, in its "G1 Concurrent GC" bean, which JDK 17 has not), how many of them were
 * full collections, and heapguard's {@code ForcedCollections} and {@code Denials} from its Agent MBean, read by
 * name through JMX (-1 without the agent).
 */
record JvmFigures(long collections, long collectionMillis, long fullCollections, long forcedCollections, long denials) {
    static final ObjectName HEAPGUARD_AGENT = objectName("io.heapguard:type=Agent");

    static JvmFigures read(MBeanServer server, boolean agent) {
        long count = 0;
        long millis = 0;
        long full = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            long c = Math.max(0, gc.getCollectionCount());
            count += c;
            millis += Math.max(0, gc.getCollectionTime());
            if (isFull(gc.getName())) {
                full += c;
            }
        }
        return new JvmFigures(count, millis, full, agent ? attribute(server, "ForcedCollections") : -1,
                agent ? attribute(server, "Denials") : -1);
    }

    /** Serial's and Parallel's old-generation collections, and G1's full ones. */
    static boolean isFull(String collector) {
        return collector.contains("MarkSweep") || collector.equals("G1 Old Generation");
    }

    JvmFigures since(JvmFigures before) {
        return new JvmFigures(collections - before.collections, collectionMillis - before.collectionMillis,
                fullCollections - before.fullCollections, delta(forcedCollections, before.forcedCollections),
                delta(denials, before.denials));
    }

    private static long delta(long now, long before) {
        return now < 0 || before < 0 ? -1 : now - before;
    }

    /** Whether this JVM was started with heapguard's agent (its flag, not any class of it). */
    static boolean agentOnCommandLine() {
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-javaagent:") && arg.contains("heapguard")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until heapguard's Agent MBean is registered (the agent registers its MBeans a moment after start-up,
     * the Agent one last), for {@code timeoutMillis} at most; whether it is.
     */
    static boolean awaitAgentMBean(MBeanServer server, long timeoutMillis) throws InterruptedException {
        CountDownLatch registered = new CountDownLatch(1);
        NotificationListener listener = (n, handback) -> {
            if (n instanceof MBeanServerNotification r && MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(r.getType())
                    && HEAPGUARD_AGENT.equals(r.getMBeanName())) {
                registered.countDown();
            }
        };
        try {
            server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
        } catch (javax.management.InstanceNotFoundException e) {
            throw new IllegalStateException("the platform MBean server has no delegate", e);
        }
        try {
            return server.isRegistered(HEAPGUARD_AGENT) || registered.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } finally {
            try {
                server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
            } catch (javax.management.JMException e) {
                // it was added above; nothing is left to undo
            }
        }
    }

    private static long attribute(MBeanServer server, String name) {
        try {
            return ((Number) server.getAttribute(HEAPGUARD_AGENT, name)).longValue();
        } catch (javax.management.JMException e) {
            return -1;
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

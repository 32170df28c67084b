package io.heapguard.micrometer;

import io.heapguard.HeapGuard;

import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * Whether the heapguard agent runs in this JVM, and the names of its MBeans. Usable without Micrometer and
 * without heapguard's classes: it names {@code io.heapguard.HeapGuard} only after finding it loadable.
 */
public final class HeapGuardAgent {
    /** Matches every heapguard MBean. */
    public static final ObjectName ALL = objectName("io.heapguard:*");
    /** {@code io.heapguard:type=Agent}, registered last, once every other heapguard MBean is in place. */
    public static final ObjectName AGENT = objectName("io.heapguard:type=Agent");
    public static final ObjectName GLOBAL = objectName("io.heapguard:type=Global");
    /** Matches every {@code io.heapguard:type=Rule,name=<rule>}. */
    public static final ObjectName RULES = objectName("io.heapguard:type=Rule,*");

    private HeapGuardAgent() {
    }

    /**
     * True when the agent runs, as its API reports from the start. (Its MBeans follow a moment later: the
     * agent registers them on a thread of its own.) Without the agent this creates no MBean server.
     */
    public static boolean isRunning() {
        try {
            Class.forName("io.heapguard.HeapGuard", false, HeapGuardAgent.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        return Api.isActive();
    }

    /** The server heapguard registers its MBeans in. */
    static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    /** The only code that names heapguard's classes: loaded when they are there to load. */
    private static final class Api {
        static boolean isActive() {
            return HeapGuard.isActive();
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

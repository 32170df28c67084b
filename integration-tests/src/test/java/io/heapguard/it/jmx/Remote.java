package io.heapguard.it.jmx;

import org.junit.jupiter.api.Assertions;

import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.relation.MBeanServerNotificationFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * heapguard's MBeans as a remote JMX client sees them: plain {@link MBeanServerConnection} calls by attribute
 * and operation name (no heapguard class on the client side, as with jconsole or jmxterm). A failure names the
 * MBean, the attribute and the JVM's output.
 */
final class Remote {
    static final ObjectName AGENT = name("io.heapguard:type=Agent");
    static final ObjectName GLOBAL = name("io.heapguard:type=Global");
    static final String DENIED = "io.heapguard.denied";

    private final MBeanServerConnection c;
    private final Supplier<String> context;

    Remote(MBeanServerConnection c, Supplier<String> context) {
        this.c = c;
        this.context = context;
    }

    static ObjectName name(String s) {
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static ObjectName rule(String rule) {
        return name("io.heapguard:type=Rule,name=" + rule);
    }

    MBeanServerConnection connection() {
        return c;
    }

    Object get(ObjectName n, String attribute) {
        try {
            return c.getAttribute(n, attribute);
        } catch (JMException | IOException e) {
            throw new AssertionError("reading " + n + " " + attribute + ": " + e + "\n" + context.get(), e);
        }
    }

    long getLong(ObjectName n, String attribute) {
        return (Long) get(n, attribute);
    }

    void set(ObjectName n, String attribute, Object value) {
        try {
            c.setAttribute(n, new Attribute(attribute, value));
        } catch (JMException | IOException e) {
            throw new AssertionError("writing " + n + " " + attribute + " = " + value + ": " + e + "\n"
                    + context.get(), e);
        }
    }

    /** Writes a value that must be rejected; returns the message the client sees. */
    String setRejected(ObjectName n, String attribute, Object value) {
        Object before = get(n, attribute);
        String message = null;
        try {
            c.setAttribute(n, new Attribute(attribute, value));
        } catch (RuntimeMBeanException e) {
            message = rejection(e);
        } catch (JMException | IOException e) {
            throw new AssertionError("writing " + n + " " + attribute + " = " + value
                    + " should be rejected with an IllegalArgumentException, was " + e, e);
        }
        Assertions.assertNotNull(message, () -> n + " " + attribute + " = " + value + " should be rejected");
        Assertions.assertEquals(before, get(n, attribute),
                () -> "a rejected write of " + attribute + " = " + value + " must change nothing");
        return message;
    }

    /** The JDK exception the MBean threw, which a client without heapguard's classes can read. */
    private static String rejection(RuntimeMBeanException e) {
        Throwable cause = e.getTargetException();
        Assertions.assertTrue(cause instanceof IllegalArgumentException,
                () -> "expected an IllegalArgumentException inside " + e + ", was " + cause);
        return cause.getMessage();
    }

    Object invoke(ObjectName n, String operation) {
        try {
            return c.invoke(n, operation, new Object[0], new String[0]);
        } catch (JMException | IOException e) {
            throw new AssertionError("invoking " + n + " " + operation + "(): " + e + "\n" + context.get(), e);
        }
    }

    /** Invokes an operation that must fail with an IllegalArgumentException; returns its message. */
    String invokeRejected(ObjectName n, String operation) {
        try {
            c.invoke(n, operation, new Object[0], new String[0]);
        } catch (RuntimeMBeanException e) {
            return rejection(e);
        } catch (MBeanException | RuntimeException e) {
            throw new AssertionError(n + " " + operation + "() should be rejected with an IllegalArgumentException, was "
                    + e, e);
        } catch (JMException | IOException e) {
            throw new AssertionError(n + " " + operation + "(): " + e + "\n" + context.get(), e);
        }
        return Assertions.fail(n + " " + operation + "() should have been rejected");
    }

    boolean isRegistered(ObjectName n) {
        try {
            return c.isRegistered(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of heapguard's rule MBeans, sorted. */
    Set<String> ruleNames() {
        try {
            Set<String> names = new TreeSet<>();
            for (ObjectName n : c.queryNames(name("io.heapguard:type=Rule,*"), null)) {
                names.add(n.getKeyProperty("name"));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits (bounded) until {@code n} is registered, without polling: subscribes to the MBean server
     * delegate's registration notifications, then checks, so a registration before the subscription is not
     * missed.
     */
    void awaitRegistered(ObjectName n, Duration timeout) {
        CountDownLatch registered = new CountDownLatch(1);
        MBeanServerNotificationFilter filter = new MBeanServerNotificationFilter();
        filter.enableAllObjectNames();
        filter.disableType(MBeanServerNotification.UNREGISTRATION_NOTIFICATION);
        NotificationListener listener = (notification, handback) -> {
            if (notification instanceof MBeanServerNotification
                    && n.equals(((MBeanServerNotification) notification).getMBeanName())) {
                registered.countDown();
            }
        };
        try {
            c.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, filter, null);
            try {
                if (c.isRegistered(n)) {
                    return;
                }
                if (!registered.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && !c.isRegistered(n)) {
                    Assertions.fail(n + " was not registered within " + timeout.toSeconds() + " s\n" + context.get());
                }
            } finally {
                c.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
            }
        } catch (JMException | IOException e) {
            throw new AssertionError("waiting for " + n + ": " + e + "\n" + context.get(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Subscribes to {@code io.heapguard.denied} notifications of the Agent MBean. */
    Notifications subscribe() {
        Notifications n = new Notifications();
        try {
            c.addNotificationListener(AGENT, n, null, null);
        } catch (JMException | IOException e) {
            throw new AssertionError("subscribing to " + AGENT + ": " + e + "\n" + context.get(), e);
        }
        return n;
    }

    /** Notifications received, in order. */
    final class Notifications implements NotificationListener {
        private final BlockingQueue<Notification> received = new LinkedBlockingQueue<>();

        @Override
        public void handleNotification(Notification notification, Object handback) {
            received.add(notification);
        }

        /** The next notification, waiting at most {@code timeout}; fails if none arrives. */
        Notification next(Duration timeout) {
            try {
                Notification n = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (n == null) {
                    Assertions.fail("no notification within " + timeout.toSeconds() + " s\n" + context.get());
                }
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** What has arrived and not been taken, without waiting. */
        Notification poll() {
            return received.poll();
        }
    }
}

package io.heapguard.agent.cli;

import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** heapguard's MBeans in another JVM, through the local JMX connector the Attach API starts there. */
final class Beans implements AutoCloseable {
    static final ObjectName AGENT = name("io.heapguard:type=Agent");
    static final ObjectName GLOBAL = name("io.heapguard:type=Global");
    private static final ObjectName RULES = name("io.heapguard:type=Rule,*");
    /** heapguard registers its MBeans a moment after it starts (see docs/monitoring.md): how long to wait for them. */
    private static final long REGISTRATION_WAIT_SECONDS = 20;

    final long pid;
    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private Beans(long pid, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** Connects to the JVM's heapguard; fails when heapguard is not loaded there. */
    static Beans open(long pid) throws Failure {
        String address;
        try (Target target = Target.attach(pid)) {
            if (Target.heapguardVersion(target.properties()) == null) {
                throw new Failure("heapguard is not loaded in JVM " + pid
                        + "; load it with: java -jar heapguard-agent.jar attach " + pid + " mode=monitor");
            }
            address = target.localJmxAddress();
        }
        Beans beans;
        try {
            beans = new Beans(pid, JMXConnectorFactory.connect(new JMXServiceURL(address)));
        } catch (IOException e) {
            throw new Failure("cannot connect to JVM " + pid + " at " + address + ": " + e.getMessage());
        }
        try {
            beans.awaitAgent();
            return beans;
        } catch (Failure | RuntimeException e) {
            beans.close();
            throw e;
        }
    }

    /** Waits, bounded, for {@code io.heapguard:type=Agent}, which heapguard registers after its other MBeans. */
    private void awaitAgent() throws Failure {
        CountDownLatch registered = new CountDownLatch(1);
        NotificationListener listener = new NotificationListener() {
            @Override
            public void handleNotification(Notification n, Object handback) {
                if (n instanceof MBeanServerNotification && AGENT.equals(((MBeanServerNotification) n).getMBeanName())) {
                    registered.countDown();
                }
            }
        };
        try {
            server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
            try {
                if (!server.isRegistered(AGENT) && !registered.await(REGISTRATION_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new Failure("heapguard's MBeans did not appear in JVM " + pid + " within "
                            + REGISTRATION_WAIT_SECONDS + " s (its standard error may say why)");
                }
            } finally {
                server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
            }
        } catch (IOException | JMException e) {
            throw lost(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }

    /** The attributes by name, in the order asked. */
    Map<String, Object> get(ObjectName bean, String... attributes) throws Failure {
        try {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Attribute a : server.getAttributes(bean, attributes).asList()) {
                values.put(a.getName(), a.getValue());
            }
            for (String a : attributes) {
                if (!values.containsKey(a)) {
                    throw new Failure("JVM " + pid + ": " + bean + " has no attribute " + a
                            + " (an older heapguard? this command line is newer)");
                }
            }
            return values;
        } catch (IOException | JMException e) {
            throw lost(e);
        }
    }

    /** The names of the rules in force, sorted. */
    Set<String> ruleNames() throws Failure {
        try {
            Set<String> names = new TreeSet<>();
            for (ObjectName n : server.queryNames(RULES, null)) {
                names.add(n.getKeyProperty("name"));
            }
            return names;
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /** Writes one attribute; an invalid value is refused by the MBean with its own message. */
    void set(ObjectName bean, String attribute, Object value) throws Failure {
        try {
            server.setAttribute(bean, new Attribute(attribute, value));
        } catch (RuntimeMBeanException e) {
            throw new Failure(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        } catch (IOException | JMException e) {
            throw lost(e);
        }
    }

    void invoke(ObjectName bean, String operation) throws Failure {
        try {
            server.invoke(bean, operation, new Object[0], new String[0]);
        } catch (RuntimeMBeanException e) {
            throw new Failure(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        } catch (IOException | JMException e) {
            throw lost(e);
        }
    }

    static ObjectName rule(String name) {
        return name("io.heapguard:type=Rule,name=" + name);
    }

    private Failure lost(Exception e) {
        return new Failure("JVM " + pid + ": " + e);
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (JMException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the JVM may have ended
        }
    }
}

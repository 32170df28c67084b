package io.heapguard.agent.management;

import io.heapguard.config.ConfigSources;
import io.heapguard.ledger.Ledger;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardEmitterMBean;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;

/**
 * Registers heapguard's MBeans and JFR events. Creating the platform MBean server costs 0.1 to 0.2 s of
 * start-up on these JDKs, more than heapguard's whole start-up budget, so it happens on a short-lived
 * daemon thread that ends once everything is registered; growths are guarded from the first moment
 * either way, only their visibility arrives a little later.
 */
public final class Management {

    private Management() {
    }

    /**
     * The beans' names, in a class of their own: creating the first {@code ObjectName} loads a few
     * {@code java.management} classes that are not in the JDK's shared archive, about 1 ms that
     * {@link #startInBackground} would otherwise spend on the thread that starts the application.
     */
    static final class Names {
        static final ObjectName AGENT = objectName("io.heapguard:type=Agent");
        static final ObjectName GLOBAL = objectName("io.heapguard:type=Global");

        private Names() {
        }
    }

    /**
     * @param first run first on that thread (the array guard's warm-up), or null
     */
    public static Thread startInBackground(Ledger ledger, ConfigSources sources, String version, Runnable first) {
        // A named class rather than a lambda: the first lambda of a JVM costs start-up time.
        Thread t = new Thread(new Init(ledger, sources, version, first), "heapguard-management-init");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static final class Init implements Runnable {
        private final Ledger ledger;
        private final ConfigSources sources;
        private final String version;
        private final Runnable first;

        Init(Ledger ledger, ConfigSources sources, String version, Runnable first) {
            this.ledger = ledger;
            this.sources = sources;
            this.version = version;
            this.first = first;
        }

        @Override
        public void run() {
            if (first != null) {
                first.run();
            }
            start(ledger, sources, version);
        }
    }

    /** Registers everything now, on the calling thread, then starts watching the rules file ({@code config.watch}). */
    public static void start(Ledger ledger, ConfigSources sources, String version) {
        try {
            FlightEvents.install(ledger);
        } catch (LinkageError noJfr) {
            // A runtime image without jdk.jfr: no events, everything else still works.
        }
        AgentControl agent = null;
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            RuleBeans rules = new RuleBeans(server, ledger);
            agent = new AgentControl(ledger, sources, version, rules);
            ledger.addRefusalListener(agent);
            server.registerMBean(new StandardMBean(new GlobalView(ledger), GlobalMXBean.class, true), Names.GLOBAL);
            rules.registerAll();
            // Last: a client that waits for type=Agent finds every other bean and the listener in place.
            server.registerMBean(new StandardEmitterMBean(agent, AgentMXBean.class, true, agent), Names.AGENT);
        } catch (JMException | RuntimeException e) {
            System.getLogger("io.heapguard").log(System.Logger.Level.WARNING,
                    "heapguard: JMX beans not registered, limits still apply: " + e);
        }
        if (agent != null && ledger.control().config().configWatch()) {
            // Here, on the background thread, so that watching costs start-up nothing.
            RulesFileWatcher.start(ledger.control().config().file(), agent);
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

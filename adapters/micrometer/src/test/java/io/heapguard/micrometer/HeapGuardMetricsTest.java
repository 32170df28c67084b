package io.heapguard.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HeapGuardMetrics} against stand-ins of heapguard's MBeans, under their real names and attribute names, in
 * an MBean server of the test's own (the agent's real MBeans are read in the starter's UnderTheAgentTest and in
 * the integration tests).
 */
class HeapGuardMetricsTest {
    private MBeanServer server;
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AgentFigures agent = new AgentFigures();
    private final LedgerFigures global = new LedgerFigures();

    /** The Agent MBean's figures the binder reads; the names are those of heapguard's AgentMXBean. */
    public interface AgentFiguresMXBean {
        long getDenials();

        long getForcedCollections();

        long getDroppedNotifications();

        long getSuppressedLogLines();

        boolean isHealthy();

        double getRefusalRate();

        long getHeapHeadroomBytes();

        long getHeapReserveBytes();

        long getLiveCharges();
    }

    /** The figures of the Global and Rule MBeans. */
    public interface LedgerFiguresMXBean {
        long getLimitBytes();

        long getMaxBufferBytes();

        long getUsedBytes();

        long getPeakBytes();

        long getGrants();

        long getDenials();
    }

    public static final class AgentFigures implements AgentFiguresMXBean {
        volatile long denials = 3;
        volatile boolean healthy = true;

        @Override
        public long getDenials() {
            return denials;
        }

        @Override
        public long getForcedCollections() {
            return 2;
        }

        @Override
        public long getDroppedNotifications() {
            return 1;
        }

        @Override
        public long getSuppressedLogLines() {
            return 0;
        }

        @Override
        public boolean isHealthy() {
            return healthy;
        }

        @Override
        public double getRefusalRate() {
            return 0.5;
        }

        @Override
        public long getHeapHeadroomBytes() {
            return 100 << 20;
        }

        @Override
        public long getHeapReserveBytes() {
            return 8 << 20;
        }

        @Override
        public long getLiveCharges() {
            return 42;
        }
    }

    public static final class LedgerFigures implements LedgerFiguresMXBean {
        volatile long used = 4096;

        @Override
        public long getLimitBytes() {
            return -1;
        }

        @Override
        public long getMaxBufferBytes() {
            return 16 << 20;
        }

        @Override
        public long getUsedBytes() {
            return used;
        }

        @Override
        public long getPeakBytes() {
            return 8192;
        }

        @Override
        public long getGrants() {
            return 7;
        }

        @Override
        public long getDenials() {
            return 1;
        }
    }

    @BeforeEach
    void heapguardsBeans() throws JMException {
        server = MBeanServerFactory.newMBeanServer();
        server.registerMBean(global, HeapGuardAgent.GLOBAL);
        server.registerMBean(new LedgerFigures(), rule("uploads"));
        server.registerMBean(agent, HeapGuardAgent.AGENT);
    }

    private static ObjectName rule(String name) throws JMException {
        return new ObjectName("io.heapguard:type=Rule,name=" + name);
    }

    private double gauge(String name, String... tags) {
        return RequiredSearch.in(registry).name(name).tags(tags).gauge().value();
    }

    private double counter(String name, String... tags) {
        return RequiredSearch.in(registry).name(name).tags(tags).functionCounter().count();
    }

    private Set<String> rulesWithMeters() {
        Set<String> rules = new TreeSet<>();
        registry.find("heapguard.rule.used").gauges().forEach(g -> rules.add(g.getId().getTag("rule")));
        return rules;
    }

    @Test
    void everyFigureIsAMeterReadWhenObserved() {
        new HeapGuardMetrics(server).bindTo(registry);

        assertEquals(3, counter("heapguard.denials"));
        assertEquals(2, counter("heapguard.forced.collections"));
        assertEquals(1, counter("heapguard.notifications.dropped"));
        assertEquals(0, counter("heapguard.log.suppressed"));
        assertEquals(1, gauge("heapguard.healthy"));
        assertEquals(0.5, gauge("heapguard.refusal.rate"));
        assertEquals(100 << 20, gauge("heapguard.heap.headroom"));
        assertEquals(8 << 20, gauge("heapguard.heap.reserve"));
        assertEquals(42, gauge("heapguard.live.charges"));
        assertEquals(4096, gauge("heapguard.global.used"));
        assertEquals(8192, gauge("heapguard.global.peak"));
        assertEquals(-1, gauge("heapguard.global.limit"));
        assertEquals(1, counter("heapguard.global.denials"));
        assertEquals(4096, gauge("heapguard.rule.used", "rule", "uploads"));
        assertEquals(16 << 20, gauge("heapguard.rule.max.buffer", "rule", "uploads"));
        assertEquals(7, counter("heapguard.rule.grants", "rule", "uploads"));
        assertEquals(1, counter("heapguard.rule.denials", "rule", "uploads"));
        assertEquals("bytes", registry.get("heapguard.rule.used").gauge().getId().getBaseUnit());

        agent.denials = 10;
        agent.healthy = false;
        global.used = 1 << 20;
        assertEquals(10, counter("heapguard.denials"), "read at each observation, not at binding");
        assertEquals(0, gauge("heapguard.healthy"));
        assertEquals(1 << 20, gauge("heapguard.global.used"));
    }

    @Test
    void rulesAddedAndRemovedByAReloadGainAndLoseTheirMeters() throws JMException {
        HeapGuardMetrics metrics = new HeapGuardMetrics(server);
        metrics.bindTo(registry);
        assertEquals(Set.of("uploads"), rulesWithMeters());

        server.registerMBean(new LedgerFigures(), rule("exports"));
        assertEquals(Set.of("exports", "uploads"), rulesWithMeters());
        assertEquals(7, counter("heapguard.rule.grants", "rule", "exports"));

        server.unregisterMBean(rule("uploads"));
        assertEquals(Set.of("exports"), rulesWithMeters());
        assertNull(registry.find("heapguard.rule.denials").tag("rule", "uploads").functionCounter(),
                "every meter of the removed rule goes");
        assertTrue(registry.find("heapguard.denials").functionCounter() != null, "the Agent's meters stay");

        metrics.close();
        server.registerMBean(new LedgerFigures(), rule("after-close"));
        assertEquals(Set.of("exports"), rulesWithMeters(), "closed: no longer following");
    }

    @Test
    void beansRegisteredAfterBindingAreFollowed() throws JMException {
        MBeanServer empty = MBeanServerFactory.newMBeanServer();
        new HeapGuardMetrics(empty).bindTo(registry);
        assertTrue(registry.getMeters().isEmpty());

        // as the agent does, on its own thread, a moment after start: Global, the rules, the Agent last
        empty.registerMBean(new LedgerFigures(), HeapGuardAgent.GLOBAL);
        empty.registerMBean(new LedgerFigures(), rule("uploads"));
        empty.registerMBean(new AgentFigures(), HeapGuardAgent.AGENT);
        assertEquals(3, counter("heapguard.denials"));
        assertEquals(4096, gauge("heapguard.global.used"));
        assertEquals(Set.of("uploads"), rulesWithMeters());
    }

    @Test
    void otherDomainsAreIgnored() throws JMException {
        new HeapGuardMetrics(server).bindTo(registry);
        int before = registry.getMeters().size();
        server.registerMBean(new LedgerFigures(), new ObjectName("com.example:type=Rule,name=x"));
        assertEquals(before, registry.getMeters().size());
    }

    @Test
    void withoutTheAgentNothingIsBound() {
        // the build also runs these tests under the agent (adapters/pom.xml)
        Assumptions.assumeFalse(Boolean.getBoolean("adapters.under-the-agent"), "runs without the agent");
        assertFalse(HeapGuardAgent.isRunning(), "these unit tests run without the agent");
        HeapGuardMetrics metrics = new HeapGuardMetrics();
        metrics.bindTo(registry);
        assertTrue(registry.getMeters().isEmpty(), () -> "bound " + registry.getMeters());
        metrics.close();
    }

    @Test
    void aMeterWhoseBeanIsGoneReadsNaN() throws JMException {
        new HeapGuardMetrics(server).bindTo(registry);
        Gauge used = registry.get("heapguard.global.used").gauge();
        FunctionCounter denials = registry.get("heapguard.denials").functionCounter();
        server.unregisterMBean(HeapGuardAgent.GLOBAL);
        assertTrue(Double.isNaN(used.value()), "a gauge kept by its reader after its bean went");
        assertEquals(3, denials.count());
    }
}

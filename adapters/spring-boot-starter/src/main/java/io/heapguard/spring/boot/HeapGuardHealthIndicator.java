package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardAgent;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

import javax.management.JMException;
import javax.management.MBeanServer;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code heapguard}: UP or DOWN as the agent's {@code Healthy} attribute (refusal rate over {@code health.window}
 * and heap headroom within their {@code health.*} thresholds), the agent's {@code Health} text saying which
 * threshold is broken. Meant for the readiness group: a process refusing requests, or short of heap, asks for
 * no more traffic until it recovers.
 */
public class HeapGuardHealthIndicator implements HealthIndicator {
    private static final String[] ATTRIBUTES = {"Healthy", "Health", "RefusalRate", "HeapHeadroomBytes", "Mode"};

    private final MBeanServer server;

    public HeapGuardHealthIndicator() {
        this(ManagementFactory.getPlatformMBeanServer());
    }

    HeapGuardHealthIndicator(MBeanServer server) {
        this.server = server;
    }

    @Override
    public Health health() {
        if (!server.isRegistered(HeapGuardAgent.AGENT)) {
            // The agent registers its MBeans on a thread of its own, a moment after the JVM starts.
            return Health.unknown().withDetail("health", HeapGuardAgent.AGENT + " is not registered yet").build();
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        try {
            for (javax.management.Attribute a : server.getAttributes(HeapGuardAgent.AGENT, ATTRIBUTES).asList()) {
                figures.put(a.getName(), a.getValue());
            }
        } catch (JMException e) {
            return Health.unknown().withException(e).build();
        }
        Object healthy = figures.remove("Healthy");
        if (!(healthy instanceof Boolean)) {
            return Health.unknown().withDetail("health", HeapGuardAgent.AGENT + " did not answer Healthy").build();
        }
        Health.Builder health = (Boolean) healthy ? Health.up() : Health.down();
        figures.forEach((attribute, value) -> {
            if (value != null) {
                health.withDetail(Character.toLowerCase(attribute.charAt(0)) + attribute.substring(1), value);
            }
        });
        return health.build();
    }
}

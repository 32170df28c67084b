package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardAgent;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

import javax.management.AttributeList;
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
            AttributeList values = server.getAttributes(HeapGuardAgent.AGENT, ATTRIBUTES);
            for (javax.management.Attribute a : values.asList()) {
                figures.put(a.getName(), a.getValue());
            }
        } catch (JMException e) {
            return Health.unknown().withException(e).build();
        }
        Health.Builder health = Boolean.TRUE.equals(figures.get("Healthy")) ? Health.up() : Health.down();
        return health.withDetail("health", figures.get("Health"))
                .withDetail("refusalRate", figures.get("RefusalRate"))
                .withDetail("heapHeadroomBytes", figures.get("HeapHeadroomBytes"))
                .withDetail("mode", figures.get("Mode"))
                .build();
    }
}

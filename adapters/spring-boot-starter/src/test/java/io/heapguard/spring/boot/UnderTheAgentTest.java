package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardAgent;
import io.heapguard.micrometer.HeapGuardMetrics;
import io.heapguard.servlet.HeapGuardFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.env.StandardEnvironment;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The auto-configuration with the agent in this JVM (the build runs this class with
 * {@code -javaagent:agent/target/heapguard-agent.jar}): every piece is there, each property switches its piece off,
 * and a bad {@code heapguard.request-limit} stops the context with a message naming it.
 */
class UnderTheAgentTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeapGuardAutoConfiguration.class));

    /** Set by the build's {@code under-the-agent} execution (adapters/pom.xml), with {@code -javaagent}. */
    static final String UNDER_THE_AGENT = "adapters.under-the-agent";

    @BeforeAll
    static void theAgentRuns() {
        // -Dtest=... makes the default execution (no agent) run this class too
        Assumptions.assumeTrue(Boolean.getBoolean(UNDER_THE_AGENT), "runs in the build's under-the-agent execution");
        assertTrue(HeapGuardAgent.isRunning(), "run with -javaagent:agent/target/heapguard-agent.jar");
    }

    @Test
    void everyPieceIsConfigured() {
        runner.withPropertyValues("heapguard.request-limit=8MB", "heapguard.filter.retry-after=7s").run(context -> {
            FilterRegistrationBean<?> filter = context.getBean("heapguardFilter", FilterRegistrationBean.class);
            HeapGuardFilter guard = (HeapGuardFilter) filter.getFilter();
            assertEquals(8L << 20, guard.limitBytes(), "a Spring data size: MB is 2^20 bytes");
            assertEquals("http-request", guard.scopeName());
            assertTrue(filter.getUrlPatterns().contains("/*"));
            assertEquals(1, context.getBeanNamesForType(RefusalExceptionResolver.class).length);
            assertEquals(1, context.getBeanNamesForType(HeapGuardMetrics.class).length);
            assertNotNull(context.getBean("heapguardHealthIndicator", HeapGuardHealthIndicator.class));
        });
    }

    @Test
    void theMetersAreTheAgentsMBeans() throws Exception {
        awaitAgentMBean();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (HeapGuardMetrics metrics = new HeapGuardMetrics()) {
            metrics.bindTo(registry);
            Object denials = ManagementFactory.getPlatformMBeanServer().getAttribute(HeapGuardAgent.AGENT, "Denials");
            assertEquals(((Long) denials).doubleValue(), registry.get("heapguard.denials").functionCounter().count());
            assertNotNull(registry.find("heapguard.global.used").gauge());
        }
    }

    @Test
    void eachPieceHasItsSwitch() {
        runner.withPropertyValues("heapguard.filter.enabled=false").run(context -> {
            assertEquals(0, context.getBeanNamesForType(FilterRegistrationBean.class).length);
            assertEquals(0, context.getBeanNamesForType(RefusalExceptionResolver.class).length);
            assertEquals(1, context.getBeanNamesForType(HeapGuardMetrics.class).length);
        });
        runner.withPropertyValues("heapguard.metrics.enabled=false").run(context -> {
            assertEquals(0, context.getBeanNamesForType(HeapGuardMetrics.class).length);
            assertEquals(1, context.getBeanNamesForType(HeapGuardHealthIndicator.class).length);
        });
        runner.withPropertyValues("heapguard.health.enabled=false").run(context -> {
            assertEquals(0, context.getBeanNamesForType(HeapGuardHealthIndicator.class).length);
            assertEquals(1, context.getBeanNamesForType(FilterRegistrationBean.class).length);
        });
    }

    @Test
    void aNegativeRequestLimitStopsTheContextNamingTheProperty() {
        runner.withPropertyValues("heapguard.request-limit=-1MB").run(context -> {
            Throwable failure = context.getStartupFailure();
            assertNotNull(failure, "started with a negative limit");
            StringBuilder messages = new StringBuilder();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            assertTrue(messages.toString().contains("heapguard.request-limit"), messages::toString);
        });
    }

    @Test
    void theGroupValidationDefaultIsLeftAlone() {
        StandardEnvironment environment = new StandardEnvironment();
        new AgentAbsentDefaults().postProcessEnvironment(environment, null);
        assertFalse(environment.containsProperty(AgentAbsentDefaults.VALIDATE_GROUP_MEMBERSHIP));
    }

    /** The agent registers its MBeans on a thread of its own, a moment after the JVM started. */
    private static void awaitAgentMBean() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!ManagementFactory.getPlatformMBeanServer().isRegistered(HeapGuardAgent.AGENT)
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(HeapGuardAgent.AGENT));
    }
}

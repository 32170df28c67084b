package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardAgent;
import io.heapguard.micrometer.HeapGuardMetrics;
import io.heapguard.servlet.HeapGuardFilter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.env.StandardEnvironment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The starter without the agent (these tests run without it): nothing is configured, whatever the properties
 * say. What it configures under the agent is proved on a real application in the integration tests
 * ({@code SpringBootAppTest}).
 */
class HeapGuardAutoConfigurationTest {
    @BeforeAll
    static void withoutTheAgent() {
        // -Dtest=... makes the build's under-the-agent execution run this class too
        Assumptions.assumeFalse(Boolean.getBoolean(UnderTheAgentTest.UNDER_THE_AGENT), "runs without the agent");
    }

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HeapGuardAutoConfiguration.class));

    @Test
    void withoutTheAgentNothingIsConfigured() {
        assertFalse(HeapGuardAgent.isRunning(), "these tests run without the agent");
        runner.withPropertyValues("heapguard.request-limit=8MB", "heapguard.filter.enabled=true")
                .run(context -> {
                    assertEquals(0, context.getBeanNamesForType(FilterRegistrationBean.class).length);
                    assertEquals(0, context.getBeanNamesForType(HeapGuardMetrics.class).length);
                    assertEquals(0, context.getBeanNamesForType(HeapGuardHealthIndicator.class).length);
                    assertEquals(0, context.getBeanNamesForType(HeapGuardProperties.class).length);
                });
    }

    @Test
    void withoutTheAgentAReadinessGroupNamingHeapguardDoesNotStopTheStart() {
        StandardEnvironment environment = new StandardEnvironment();
        new AgentAbsentDefaults().postProcessEnvironment(environment, null);
        assertEquals("false", environment.getProperty(AgentAbsentDefaults.VALIDATE_GROUP_MEMBERSHIP));
    }

    @Test
    void theApplicationsOwnValidationSettingWins() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("app",
                java.util.Map.of(AgentAbsentDefaults.VALIDATE_GROUP_MEMBERSHIP, "true")));
        new AgentAbsentDefaults().postProcessEnvironment(environment, null);
        assertEquals("true", environment.getProperty(AgentAbsentDefaults.VALIDATE_GROUP_MEMBERSHIP));
    }

    @Test
    void theDefaultsAreThoseDocumented() {
        HeapGuardProperties p = new HeapGuardProperties();
        assertEquals(HeapGuardFilter.DEFAULT_LIMIT_BYTES, p.getRequestLimit().toBytes());
        assertEquals(HeapGuardFilter.DEFAULT_SCOPE, p.getFilter().getScope());
        assertEquals(HeapGuardFilter.DEFAULT_RETRY_AFTER_SECONDS, p.getFilter().getRetryAfter().toSeconds());
    }
}

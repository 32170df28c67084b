package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardAgent;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Lets an application whose readiness group includes {@code heapguard} start without the agent (on a
 * developer's machine, in a test): there is no {@code heapguard} indicator then, and Actuator would refuse to
 * start over a group naming a missing member. So, without the agent only, the default of
 * {@code management.endpoint.health.validate-group-membership} becomes false; any value the application sets
 * still wins. Under the agent nothing changes.
 */
public class AgentAbsentDefaults implements EnvironmentPostProcessor {
    static final String VALIDATE_GROUP_MEMBERSHIP = "management.endpoint.health.validate-group-membership";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!HeapGuardAgent.isRunning()) {
            environment.getPropertySources().addLast(new MapPropertySource("heapguard-agent-absent",
                    Map.of(VALIDATE_GROUP_MEMBERSHIP, "false")));
        }
    }
}

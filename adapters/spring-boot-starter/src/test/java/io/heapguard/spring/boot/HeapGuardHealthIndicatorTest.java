package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardAgent;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link HeapGuardHealthIndicator} against a stand-in of the Agent MBean, in an MBean server of the test's own. */
class HeapGuardHealthIndicatorTest {
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();

    /** The attributes of heapguard's AgentMXBean the indicator reads. */
    public interface AgentHealthMXBean {
        boolean isHealthy();

        String getHealth();

        double getRefusalRate();

        long getHeapHeadroomBytes();

        String getMode();
    }

    public static final class AgentHealth implements AgentHealthMXBean {
        volatile String health = "UP";

        @Override
        public boolean isHealthy() {
            return health.equals("UP");
        }

        @Override
        public String getHealth() {
            return health;
        }

        @Override
        public double getRefusalRate() {
            return health.equals("UP") ? 0 : 6.1;
        }

        @Override
        public long getHeapHeadroomBytes() {
            return 100L << 20;
        }

        @Override
        public String getMode() {
            return "enforce";
        }
    }

    @Test
    void followsTheAgentsHealthyAttribute() throws JMException {
        AgentHealth agent = new AgentHealth();
        server.registerMBean(agent, HeapGuardAgent.AGENT);
        HeapGuardHealthIndicator indicator = new HeapGuardHealthIndicator(server);

        Health up = indicator.health();
        assertEquals(Status.UP, up.getStatus());
        assertEquals("UP", up.getDetails().get("health"));
        assertEquals("enforce", up.getDetails().get("mode"));

        agent.health = "DOWN: 6.10 refusals/s over 10 s, above health.max-refusal-rate 1.0";
        Health down = indicator.health();
        assertEquals(Status.DOWN, down.getStatus());
        assertEquals(agent.health, down.getDetails().get("health"));
        assertEquals(6.1, down.getDetails().get("refusalRate"));
    }

    @Test
    void unknownUntilTheAgentHasRegisteredItsBeans() {
        assertEquals(Status.UNKNOWN, new HeapGuardHealthIndicator(server).health().getStatus());
    }
}

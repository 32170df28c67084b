package io.heapguard.agent.management;

import io.heapguard.ledger.Ledger;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.util.List;

/** One {@code io.heapguard:type=Rule,name=<name>} per rule, kept in step with reloads. */
final class RuleBeans {
    private final MBeanServer server;
    private final Ledger ledger;

    RuleBeans(MBeanServer server, Ledger ledger) {
        this.server = server;
        this.ledger = ledger;
    }

    /** Rule names are {@code [A-Za-z0-9_-]+} (the configuration checks), so they need no quoting. */
    static ObjectName name(String rule) throws JMException {
        return new ObjectName("io.heapguard:type=Rule,name=" + rule);
    }

    void registerAll() throws JMException {
        apply(ledger.control().ruleNames(), List.of());
    }

    synchronized void apply(List<String> added, List<String> removed) {
        for (String rule : removed) {
            try {
                server.unregisterMBean(name(rule));
            } catch (InstanceNotFoundException gone) {
                // already gone
            } catch (JMException e) {
                throw new IllegalStateException("cannot unregister rule '" + rule + "': " + e, e);
            }
        }
        for (String rule : added) {
            try {
                server.registerMBean(new StandardMBean(new RuleView(ledger, rule), RuleMXBean.class, true), name(rule));
            } catch (JMException e) {
                throw new IllegalStateException("cannot register rule '" + rule + "': " + e, e);
            }
        }
    }
}

package io.heapguard.agent.management;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Enabled by default, so any recording (e.g. {@code jcmd <pid> JFR.start}) shows refusals. */
@Name("heapguard.Refusal")
@Label("heapguard Refusal")
@Category("heapguard")
@Description("A buffer growth refused (or, in monitor mode, that would have been)")
@StackTrace(true)
public final class RefusalEvent extends jdk.jfr.Event {
    @Label("Rule")
    String rule;
    @Label("Target")
    String target;
    @Label("Requested")
    @DataAmount
    long requested;
    @Label("Limit")
    @DataAmount
    long limit;
    @Label("Used")
    @DataAmount
    long used;
    @Label("Call Site")
    String callSite;
    @Label("Enforced")
    boolean enforced;
    @Label("Top Consumers")
    String topConsumers;
}

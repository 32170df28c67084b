package io.heapguard.agent.management;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Off by default: one event per tracked growth is too many for an always-on recording. */
@Name("heapguard.Growth")
@Label("heapguard Growth")
@Category("heapguard")
@Description("A tracked buffer growth granted by the ledger")
@StackTrace(true)
@Enabled(false)
public final class GrowthEvent extends jdk.jfr.Event {
    @Label("Target")
    String target;
    @Label("From")
    @DataAmount
    long from;
    @Label("To")
    @DataAmount
    long to;
}

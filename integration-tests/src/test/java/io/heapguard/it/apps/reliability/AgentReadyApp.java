package io.heapguard.it.apps.reliability;

import static io.heapguard.it.apps.Report.result;

/**
 * Waits until heapguard has registered its agent MBean, which its background thread does after it has learned
 * the heap's layout (and said at start-up what it has to say about it), then exits.
 */
public final class AgentReadyApp {
    public static void main(String[] args) throws Exception {
        result("registered", MBeans.awaitRegistered(MBeans.AGENT, 30_000));
        result("done", true);
    }
}

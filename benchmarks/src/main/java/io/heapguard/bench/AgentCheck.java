package io.heapguard.bench;

import io.heapguard.ledger.FastLimit;
import io.heapguard.internal.GrowthHooks;
import io.heapguard.ledger.Ledger;

/**
 * Makes a fork fail rather than report a meaningless figure: {@link CompareRunner} tells each fork what
 * it expects ({@code -Dhgbench.expect=bare}, {@code agent}, or {@code agent:<fast limit bytes>})
 * and every benchmark that measures the agent calls {@link #verify()} in its trial set-up.
 *
 * <p>With the agent, heapguard-core is defined by the bootstrap class loader and shadows the copy in
 * benchmarks.jar, so {@link Ledger#current()} is the installed ledger; without it, the copy here answers
 * null.
 */
public final class AgentCheck {
    public static final String PROPERTY = "hgbench.expect";

    private AgentCheck() {
    }

    public static void verify() {
        String expect = System.getProperty(PROPERTY);
        if (expect == null) {
            return; // run directly through org.openjdk.jmh.Main: nothing was promised
        }
        boolean installed = Ledger.current() != null;
        long fastLimit = FastLimit.bytes();
        if (expect.equals("bare")) {
            if (installed) {
                throw new IllegalStateException("fork expected to run bare, but heapguard's ledger is installed");
            }
            return;
        }
        if (!installed) {
            throw new IllegalStateException("fork expected to run with heapguard (" + expect
                    + "), but no ledger is installed: is -javaagent missing or did the agent fail?");
        }
        if (expect.startsWith("agent:")) {
            long want = Long.parseLong(expect.substring("agent:".length()));
            if (fastLimit != want) {
                throw new IllegalStateException("fork expected heapguard's fast-path limit " + want
                        + " bytes, the agent has " + fastLimit);
            }
        }
        if (GrowthHooks.class.getClassLoader() != null) {
            throw new IllegalStateException("heapguard-core was not loaded by the bootstrap class loader");
        }
    }
}

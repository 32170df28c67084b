package io.heapguard.examples;

import io.heapguard.QuotaExceededException;

/**
 * The only class of the demo that names heapguard's API. The JVM loads it only after a refusal, so the demo
 * also runs where heapguard is absent.
 */
final class Refusal {
    private Refusal() {
    }

    static void describe(RuntimeException e) {
        QuotaExceededException q = (QuotaExceededException) e;
        System.out.println("  rule=" + q.rule() + " requested=" + RefusalDemo.mib(q.requestedBytes())
                + " limit=" + RefusalDemo.mib(q.limitBytes()) + " used=" + RefusalDemo.mib(q.usedBytes()));
        System.out.println("  call site: " + q.callSite());
    }
}

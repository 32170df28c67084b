package io.heapguard.agent;

import java.util.concurrent.Callable;

import io.heapguard.ledger.Platform;

/** {@link Platform} on a JDK whose internals the agent could reach (through {@code JdkInternals}). */
final class JdkPlatform implements Platform {

    private final Callable<Boolean> waitForReferenceProcessing;

    /** @param waitForReferenceProcessing {@code JdkInternals}, seen through a JDK interface */
    JdkPlatform(Callable<Boolean> waitForReferenceProcessing) {
        this.waitForReferenceProcessing = waitForReferenceProcessing;
    }

    @Override
    public boolean waitForReferenceProcessing() throws InterruptedException {
        try {
            return waitForReferenceProcessing.call();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // the JDK method declares InterruptedException only
        }
    }
}

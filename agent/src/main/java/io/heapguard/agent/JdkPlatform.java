package io.heapguard.agent;

import java.lang.invoke.MethodHandle;

import io.heapguard.ledger.Platform;

/** {@link Platform} on a JDK whose internals {@link JdkInternals} could reach. */
final class JdkPlatform implements Platform {

    private final MethodHandle waitForReferenceProcessing;

    /** @param waitForReferenceProcessing from {@link JdkInternals#referenceProcessingWaiter()} */
    JdkPlatform(MethodHandle waitForReferenceProcessing) {
        this.waitForReferenceProcessing = waitForReferenceProcessing;
    }

    @Override
    public boolean waitForReferenceProcessing() throws InterruptedException {
        try {
            return (boolean) waitForReferenceProcessing.invokeExact();
        } catch (InterruptedException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // the JDK method declares InterruptedException only
        }
    }
}

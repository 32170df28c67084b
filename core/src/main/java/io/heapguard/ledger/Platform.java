package io.heapguard.ledger;

/**
 * What the ledger needs from the JVM beyond public JDK API. The agent supplies an implementation that
 * reaches JDK internals it has been granted access to; core itself cannot (it is compiled with
 * {@code --release 17} and may run without the agent).
 */
public interface Platform {

    /**
     * Waits while the JDK's reference handler is still enqueuing references discovered by the last
     * collection, as {@code java.nio.Bits.reserveMemory} does.
     *
     * @return true if there was work in progress and it waited, false if there was nothing pending
     */
    boolean waitForReferenceProcessing() throws InterruptedException;

    /**
     * The live heap as the collector saw it at the end of its last collection (the heap pools'
     * collection usage), or -1 when not known. Read right after a forced collection, it does not count
     * what other threads allocated since, nor, on concurrent collectors, during the cycle.
     */
    default long liveHeapAfterCollection() {
        return -1;
    }

    /** Asks for a full collection before a refusal; {@link System#gc()} unless a test says otherwise. */
    default void collect() {
        System.gc();
    }

    /** A platform without access to JDK internals: never waits. */
    Platform NONE = new Platform() {
        @Override
        public boolean waitForReferenceProcessing() {
            return false;
        }
    };
}

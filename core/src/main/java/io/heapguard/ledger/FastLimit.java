package io.heapguard.ledger;

/**
 * The one threshold every hook compares against before it does anything else. The ledger publishes it
 * whenever its policy changes; the hooks only read it, so they depend on the ledger and never the reverse.
 */
public final class FastLimit {

    /**
     * Requests strictly below this many bytes are neither charged nor checked: the smaller of
     * {@code track.min} and the smallest {@code max-buffer} in force. {@link Long#MAX_VALUE} while no
     * ledger is installed or the mode is {@code off}.
     */
    private static volatile long bytes = Long.MAX_VALUE;

    /**
     * The lowest fast limit ever in force: a buffer smaller than this was never charged, so giving back
     * its charge on release costs a compare. Only ever lowered, so a policy that raises {@code track.min}
     * still lets the buffers charged before it give their charge back.
     */
    private static volatile long releaseBytes = Long.MAX_VALUE;

    private FastLimit() {
    }

    public static long bytes() {
        return bytes;
    }

    public static long releaseBytes() {
        return releaseBytes;
    }

    /** Written by the ledger; tests reset it to {@link Long#MAX_VALUE} to close the slow path. */
    public static void publish(long limit) {
        bytes = limit;
        if (limit < releaseBytes) {
            releaseBytes = limit;
        }
    }
}

package io.heapguard.ledger;

/**
 * Told of every tracked growth the ledger grants, on the growing thread, inside the re-entrancy guard.
 * For low-overhead event streams (JFR) that decide themselves whether they are recording.
 */
public interface GrowthListener {
    void granted(GrowthPoint point, long currentBytes, long requestedBytes);
}

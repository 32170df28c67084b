package io.heapguard.ledger;

/**
 * Told of every refusal, enforced or monitored, on the refusing thread before the exception is thrown.
 * Runs inside the ledger's re-entrancy guard: growths it causes are neither checked nor charged. It
 * must be quick and must not throw.
 */
public interface RefusalListener {
    void refused(Refusal refusal);
}

package io.heapguard;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Scope;

/** A task that runs inside the scopes open where it was wrapped. See {@link HeapGuard#wrap(Runnable)}. */
final class ScopedRunnable implements Runnable {
    private final Ledger ledger;
    private final Scope[] scopes;
    private final Runnable task;

    ScopedRunnable(Ledger ledger, Scope[] scopes, Runnable task) {
        this.ledger = ledger;
        this.scopes = scopes;
        this.task = task;
    }

    @Override
    public void run() {
        Scope[] pushed = ScopeCarrier.enter(ledger, scopes);
        try {
            task.run();
        } finally {
            ScopeCarrier.exit(ledger, pushed);
        }
    }

    @Override
    public String toString() {
        return "HeapGuard.wrap(" + task + ")";
    }
}

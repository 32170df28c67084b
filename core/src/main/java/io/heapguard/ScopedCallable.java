package io.heapguard;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Scope;

import java.util.concurrent.Callable;

/** A task that runs inside the scopes open where it was wrapped. See {@link HeapGuard#wrap(Callable)}. */
final class ScopedCallable<V> implements Callable<V> {
    private final Ledger ledger;
    private final Scope[] scopes;
    private final Callable<V> task;

    ScopedCallable(Ledger ledger, Scope[] scopes, Callable<V> task) {
        this.ledger = ledger;
        this.scopes = scopes;
        this.task = task;
    }

    @Override
    public V call() throws Exception {
        Scope[] pushed = ScopeCarrier.enter(ledger, scopes);
        try {
            return task.call();
        } finally {
            ScopeCarrier.exit(ledger, pushed);
        }
    }

    @Override
    public String toString() {
        return "HeapGuard.wrap(" + task + ")";
    }
}

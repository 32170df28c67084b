package io.heapguard;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Scope;

/**
 * A memory budget for a piece of work, opened with {@link HeapGuard#scope(String, long)} in a
 * try-with-resources block. Growths on the thread (and in tasks wrapped with {@link HeapGuard#wrap})
 * are charged to it as well as to every other quota; closing it releases what it holds.
 *
 * <p>Without the agent a scope never refuses and costs one small object.
 */
public final class QuotaScope implements AutoCloseable {
    private final String name;
    private final long limitBytes;
    private final Ledger ledger;
    private final Scope scope;
    private boolean closed;

    QuotaScope(String name, long limitBytes, Ledger ledger, Scope scope) {
        this.name = name;
        this.limitBytes = limitBytes;
        this.ledger = ledger;
        this.scope = scope;
    }

    public String name() {
        return name;
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Bytes charged to the scope and not yet collected; 0 without the agent or once closed. */
    public long usedBytes() {
        return scope == null ? 0 : scope.usedBytes();
    }

    /** Whether the agent is enforcing this scope. */
    public boolean isGuarded() {
        return scope != null;
    }

    Scope scope() {
        return scope;
    }

    /** Releases the budget. Idempotent; must be called on the thread that opened the scope. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (scope != null) {
            ledger.closeScope(scope);
        }
    }

    @Override
    public String toString() {
        return "QuotaScope[" + name + ", limit " + limitBytes + " B, used " + usedBytes() + " B]";
    }
}

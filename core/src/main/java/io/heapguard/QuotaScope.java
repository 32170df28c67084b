package io.heapguard;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Scope;

/**
 * A memory budget for a piece of work, opened with {@link HeapGuard#scope(String, long)} in a
 * try-with-resources block. Growths on the thread (and in tasks wrapped with {@link HeapGuard#wrap})
 * are charged to it as well as to every other quota, and refused with rule {@code scope:<name>} once
 * it is spent. What it holds is released when the memory is collected or when the scope closes,
 * whichever comes first.
 *
 * <p>Scopes nest: every scope open on a thread is checked. A scope opened with
 * {@link HeapGuard#detachedScope} is entered by no thread until {@link #enter()} is called.
 *
 * <p>Without the agent a scope never refuses and costs one small object.
 */
public final class QuotaScope implements AutoCloseable {
    private final String name;
    private final long limitBytes;
    private final Ledger ledger;
    private final Scope scope;
    private volatile boolean closed;

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

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    Scope scope() {
        return scope;
    }

    Ledger ledger() {
        return ledger;
    }

    /**
     * Makes growths on the current thread count against this scope until the returned entry is closed
     * (on this thread). Entering a scope the thread is already in, or one that is closed, changes
     * nothing. Use it in try-with-resources.
     */
    public Entry enter() {
        if (scope == null || closed) {
            return Entry.NONE;
        }
        Scope[] pushed = ScopeCarrier.enter(ledger, new Scope[] {scope});
        return pushed.length == 0 ? Entry.NONE : new Entry(ledger, pushed);
    }

    /**
     * Releases the budget: what it holds stops counting and nothing more is charged to it, on every
     * thread it was carried to. Idempotent. A scope from {@link HeapGuard#scope} must be closed on the
     * thread that opened it; one from {@link HeapGuard#detachedScope} may be closed from any thread.
     */
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
        return "QuotaScope[" + name + ", limit " + limitBytes + " B, used " + usedBytes() + " B"
                + (closed ? ", closed]" : "]");
    }

    /** A thread's stay in a scope, from {@link QuotaScope#enter()}; closing it leaves the scope open. */
    public static final class Entry implements AutoCloseable {
        static final Entry NONE = new Entry(null, ScopeCarrier.NONE);

        private final Ledger ledger;
        private Scope[] pushed;

        Entry(Ledger ledger, Scope[] pushed) {
            this.ledger = ledger;
            this.pushed = pushed;
        }

        /** Leaves the scope on this thread. Idempotent; must be called on the thread that entered. */
        @Override
        public void close() {
            Scope[] p = pushed;
            if (p.length > 0) {
                pushed = ScopeCarrier.NONE;
                ScopeCarrier.exit(ledger, p);
            }
        }
    }
}

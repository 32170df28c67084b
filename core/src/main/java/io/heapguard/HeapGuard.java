package io.heapguard;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Scope;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/**
 * The application-facing API. Everything here works with or without the agent: without it, scopes
 * never refuse and {@link #isActive()} is false, so libraries can use it unconditionally.
 */
public final class HeapGuard {
    private HeapGuard() {
    }

    /** Whether the agent is running in this JVM. */
    public static boolean isActive() {
        return Ledger.current() != null;
    }

    /**
     * Opens a budget of {@code limitBytes} for the work this thread does until the scope closes.
     *
     * @param name       named in refusals as {@code scope:<name>}
     * @param limitBytes at least 0
     */
    public static QuotaScope scope(String name, long limitBytes) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a scope needs a name");
        }
        if (limitBytes < 0) {
            throw new IllegalArgumentException("scope '" + name + "': limitBytes must be at least 0, was " + limitBytes);
        }
        Ledger ledger = Ledger.current();
        if (ledger == null) {
            return new QuotaScope(name, limitBytes, null, null);
        }
        return new QuotaScope(name, limitBytes, ledger, ledger.openScope(name, limitBytes));
    }

    /**
     * Opens a budget of {@code limitBytes} that no thread is in yet: for work that moves between
     * callbacks on different threads (a gRPC call's listener, an asynchronous servlet). Each piece of
     * the work runs between {@link QuotaScope#enter()} and the entry's {@code close()}; the budget
     * ends when {@link QuotaScope#close()} is called, from any thread.
     *
     * <pre>{@code
     * QuotaScope budget = HeapGuard.detachedScope("call-7", 32L << 20);   // when the call starts
     * try (QuotaScope.Entry in = budget.enter()) {                         // in each callback
     *     onMessage(message);
     * }
     * budget.close();                                                      // when the call ends
     * }</pre>
     *
     * @param name       named in refusals as {@code scope:<name>}
     * @param limitBytes at least 0
     */
    public static QuotaScope detachedScope(String name, long limitBytes) {
        QuotaScope s = scope(name, limitBytes);
        if (s.ledger() != null) {
            s.ledger().exitScopes(new Scope[] {s.scope()});
        }
        return s;
    }

    /**
     * {@code task}, made to run inside the scopes open on this thread now, on whatever thread runs it.
     * Returns {@code task} itself when there is nothing to carry: no agent, or no scope open here.
     * A scope closed before the task runs no longer applies to it.
     */
    public static Runnable wrap(Runnable task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        Ledger ledger = Ledger.current();
        if (ledger == null || task instanceof ScopedRunnable) {
            return task;
        }
        Scope[] scopes = ledger.currentScopes();
        return scopes.length == 0 ? task : new ScopedRunnable(ledger, scopes, task);
    }

    /** The {@link Callable} form of {@link #wrap(Runnable)}. */
    public static <V> Callable<V> wrap(Callable<V> task) {
        if (task == null) {
            throw new NullPointerException("task");
        }
        Ledger ledger = Ledger.current();
        if (ledger == null || task instanceof ScopedCallable) {
            return task;
        }
        Scope[] scopes = ledger.currentScopes();
        return scopes.length == 0 ? task : new ScopedCallable<V>(ledger, scopes, task);
    }

    /**
     * An executor that runs each task inside the scopes open on the thread that submits it (see
     * {@link #wrap(Runnable)}), so that a {@code CompletableFuture} chain whose stages run on it stays
     * inside the budget of the request that started it. Without the agent, {@code executor} itself.
     */
    public static Executor wrap(Executor executor) {
        if (executor == null) {
            throw new NullPointerException("executor");
        }
        if (Ledger.current() == null || executor instanceof ScopedExecutor
                || executor instanceof ScopedExecutorService) {
            return executor;
        }
        if (executor instanceof ExecutorService) {
            return new ScopedExecutorService((ExecutorService) executor);
        }
        return new ScopedExecutor(executor);
    }

    /**
     * The {@link ExecutorService} form of {@link #wrap(Executor)}: every submission ({@code execute},
     * {@code submit}, {@code invokeAll}, {@code invokeAny}) carries the submitter's scopes; shutting
     * down the returned service shuts down {@code executor}. Without the agent, {@code executor} itself.
     */
    public static ExecutorService wrap(ExecutorService executor) {
        if (executor == null) {
            throw new NullPointerException("executor");
        }
        if (Ledger.current() == null || executor instanceof ScopedExecutorService) {
            return executor;
        }
        return new ScopedExecutorService(executor);
    }

    /**
     * Whether {@code t}, any of its causes, or any exception suppressed along the way is a
     * {@link QuotaExceededException}. Safe against cause and suppression cycles.
     */
    public static boolean isQuotaExceeded(Throwable t) {
        return findQuotaExceeded(t) != null;
    }

    /** The first {@link QuotaExceededException} in {@code t}'s causes and suppressed exceptions, or null. */
    public static QuotaExceededException findQuotaExceeded(Throwable t) {
        return find(t, Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>()));
    }

    private static QuotaExceededException find(Throwable t, Set<Throwable> seen) {
        // Iterative along the cause chain, recursive only into suppressed exceptions (rarely deep).
        while (t != null && seen.add(t)) {
            if (t instanceof QuotaExceededException) {
                return (QuotaExceededException) t;
            }
            for (Throwable s : t.getSuppressed()) {
                QuotaExceededException found = find(s, seen);
                if (found != null) {
                    return found;
                }
            }
            t = t.getCause();
        }
        return null;
    }
}

package io.heapguard;

import io.heapguard.ledger.Ledger;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

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

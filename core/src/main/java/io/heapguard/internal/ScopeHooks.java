package io.heapguard.internal;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Scope;

/**
 * What an application method named by {@code scope.<name>.entry} calls once instrumented:
 *
 * <pre>
 *   Object token = ScopeHooks.enter(index);   // index baked in by the agent, from define()
 *   try {
 *       original body, each return preceded by ScopeHooks.exit(token)
 *   } catch (Throwable t) {
 *       ScopeHooks.exit(token); throw t;
 *   }
 * </pre>
 *
 * A call made while the same entry's scope is already open on the thread (recursion, one overload
 * calling another) opens nothing: the outer call's scope covers it. Neither method throws: a failure
 * here must not become the application's. Plain JDK code, no lambdas: loaded in the bootstrap class
 * loader and called from application classes.
 */
public final class ScopeHooks {
    private static final Object LOCK = new Object();
    private static final Scope[] EMPTY = new Scope[0];
    private static volatile String[] names = new String[0];
    private static volatile long[] limits = new long[0];

    /** Per thread, the scope each entry has open there (indexed like {@link #names}), or null. */
    private static final ThreadLocal<Scope[]> OPEN = new ThreadLocal<Scope[]>() {
        @Override
        protected Scope[] initialValue() {
            return EMPTY;
        }
    };

    private ScopeHooks() {
    }

    /**
     * Registers a configured scope; the instrumentation passes the returned index to {@link #enter}.
     * Defining a name again returns its index and takes the new limit.
     */
    public static int define(String name, long limitBytes) {
        if (name == null || name.isEmpty() || limitBytes < 0) {
            throw new IllegalArgumentException("scope " + name + " with limit " + limitBytes);
        }
        synchronized (LOCK) {
            String[] n = names;
            for (int i = 0; i < n.length; i++) {
                if (n[i].equals(name)) {
                    long[] l = limits.clone();
                    l[i] = limitBytes;
                    limits = l;
                    return i;
                }
            }
            String[] nn = new String[n.length + 1];
            System.arraycopy(n, 0, nn, 0, n.length);
            nn[n.length] = name;
            long[] l = new long[n.length + 1];
            System.arraycopy(limits, 0, l, 0, n.length);
            l[n.length] = limitBytes;
            limits = l;
            names = nn;
            return n.length;
        }
    }

    /** The name of the scope {@code index} opens, or null. */
    public static String name(int index) {
        String[] n = names;
        return index >= 0 && index < n.length ? n[index] : null;
    }

    /**
     * At the entry method's start: opens the scope, unless this entry's scope is already open on the
     * thread or the agent is not enforcing anything.
     *
     * @return what to pass to {@link #exit}, possibly null
     */
    public static Object enter(int index) {
        try {
            Ledger ledger = Ledger.current();
            String[] n = names;
            long[] l = limits;
            if (ledger == null || index < 0 || index >= n.length || index >= l.length) {
                return null;
            }
            Scope[] open = OPEN.get();
            if (index < open.length && open[index] != null && !open[index].isClosed()) {
                return null;
            }
            Scope s = ledger.openScope(n[index], l[index]);
            if (index >= open.length) {
                Scope[] grown = new Scope[n.length];
                System.arraycopy(open, 0, grown, 0, open.length);
                open = grown;
                OPEN.set(open);
            }
            open[index] = s;
            return s;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** At every exit of the entry method, normal or by an exception: closes what {@link #enter} opened. */
    public static void exit(Object token) {
        if (token == null) {
            return;
        }
        try {
            Scope s = (Scope) token;
            Scope[] open = OPEN.get();
            for (int i = 0; i < open.length; i++) {
                if (open[i] == s) {
                    open[i] = null;
                }
            }
            Ledger ledger = Ledger.current();
            if (ledger != null) {
                ledger.closeScope(s);
            }
        } catch (RuntimeException | LinkageError e) {
            // never the application's problem
        }
    }
}

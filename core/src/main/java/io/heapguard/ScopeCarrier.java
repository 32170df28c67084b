package io.heapguard;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Scope;

/**
 * Enters scopes captured on one thread on another, for the duration of a task. A scope the thread has
 * open already (a task run on the thread that submitted it, a {@code CompletableFuture} stage completed
 * in place) is not entered twice, so nothing is charged to it twice; a scope closed in the meantime is
 * not entered at all.
 *
 * <p>Plain JDK code, no lambdas: it runs in the bootstrap class loader under the agent.
 */
final class ScopeCarrier {
    static final Scope[] NONE = new Scope[0];

    private ScopeCarrier() {
    }

    /**
     * Pushes those of {@code captured} the current thread does not have open yet.
     *
     * @return the scopes pushed, to hand to {@link #exit}; {@link #NONE} when none was
     */
    static Scope[] enter(Ledger ledger, Scope[] captured) {
        Scope[] open = ledger.currentScopes();
        Scope[] push = null;
        int n = 0;
        for (Scope s : captured) {
            if (s.isClosed() || contains(open, s)) {
                continue;
            }
            if (push == null) {
                push = new Scope[captured.length];
            }
            push[n++] = s;
        }
        if (n == 0) {
            return NONE;
        }
        if (n < push.length) {
            Scope[] exact = new Scope[n];
            System.arraycopy(push, 0, exact, 0, n);
            push = exact;
        }
        ledger.enterScopes(push);
        return push;
    }

    /** Takes the scopes {@link #enter} pushed off the current thread again, without closing them. */
    static void exit(Ledger ledger, Scope[] pushed) {
        if (pushed.length > 0) {
            ledger.exitScopes(pushed);
        }
    }

    private static boolean contains(Scope[] scopes, Scope s) {
        for (Scope o : scopes) {
            if (o == s) {
                return true;
            }
        }
        return false;
    }
}

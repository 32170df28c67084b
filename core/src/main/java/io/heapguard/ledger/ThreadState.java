package io.heapguard.ledger;

import java.util.Arrays;

/**
 * What the ledger keeps per thread, reached only on the slow path: the thread's own account (what it
 * holds, for attribution and the heap reserve), its open scopes, the charges of the decision under way,
 * and the re-entrancy guard that keeps
 * the ledger from deciding about growths it causes itself.
 */
final class ThreadState {
    private static final Scope[] NO_SCOPES = new Scope[0];

    private static final ThreadLocal<ThreadState> CURRENT = new ThreadLocal<ThreadState>() {
        @Override
        protected ThreadState initialValue() {
            // No string built here: this runs before the re-entrancy guard exists, and a growth of that
            // string (with a tiny max-buffer in force) would come straight back into the ledger.
            return new ThreadState(new Account(Thread.currentThread()));
        }
    };

    final Account owner;
    final PendingCharges charges = new PendingCharges();
    boolean inLedger;
    /** The heap reserve's slack this thread took a share of, and what is left of that share. */
    HeapReserve.Slack slack;
    long slackBytes;
    /**
     * Pinned arrays this thread passed the placement gate for that have not landed ({@link PlacementGate}). Per
     * thread because a hook woven at a method's entry settles only at its return: a growth judged inside that
     * method's body must not wait out the gate's second for its own thread's array, which cannot land before it.
     */
    int passedGate;
    /** What the growth the heap reserve just granted owes the placement gate, until its reservation takes it. */
    byte placementOwed;
    private Scope[] scopes = NO_SCOPES;
    private int depth;

    private ThreadState(Account owner) {
        this.owner = owner;
    }

    static ThreadState current() {
        return CURRENT.get();
    }

    int scopeDepth() {
        return depth;
    }

    Scope scope(int i) {
        return scopes[i];
    }

    void push(Scope scope) {
        if (depth == scopes.length) {
            scopes = Arrays.copyOf(scopes, Math.max(4, depth * 2));
        }
        scopes[depth++] = scope;
    }

    /** Removes {@code scope} wherever it stands, so a scope closed out of order cannot corrupt the stack. */
    void remove(Scope scope) {
        for (int i = depth - 1; i >= 0; i--) {
            if (scopes[i] == scope) {
                System.arraycopy(scopes, i + 1, scopes, i, depth - i - 1);
                scopes[--depth] = null;
                return;
            }
        }
    }

    /** The open scopes, outermost first; used to carry them into another thread's task. */
    Scope[] snapshot() {
        return depth == 0 ? NO_SCOPES : Arrays.copyOf(scopes, depth);
    }
}

package io.heapguard.ledger;

import java.util.Arrays;

/**
 * The accounts one decision has charged so far, so that a refusal by a later check can back them out and
 * a grant can hand them to its {@link Reservation}. One per thread, reused: a decision never re-enters.
 */
final class PendingCharges {
    private Account[] accounts = new Account[8];
    private int count;
    private long bytes;

    /** Starts a decision about {@code bytes}. */
    void start(long bytes) {
        this.bytes = bytes;
        count = 0;
    }

    long bytes() {
        return bytes;
    }

    /** {@code account} has been charged this decision's bytes. */
    void add(Account account) {
        if (count == accounts.length) {
            accounts = Arrays.copyOf(accounts, count * 2);
        }
        accounts[count++] = account;
    }

    /** Credits every account charged so far: the decision ends in a refusal. */
    void backOut() {
        for (int i = 0; i < count; i++) {
            accounts[i].credit(bytes);
            accounts[i] = null;
        }
        count = 0;
    }

    /** The accounts charged, for the reservation; this object is then ready for the next decision. */
    Account[] take() {
        Account[] taken = Arrays.copyOf(accounts, count);
        Arrays.fill(accounts, 0, count, null);
        count = 0;
        return taken;
    }
}

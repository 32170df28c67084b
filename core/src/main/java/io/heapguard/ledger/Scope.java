package io.heapguard.ledger;

/**
 * A budget for the work between its opening and its closing, on the threads it is carried to. Holds
 * an account with a fixed limit. Closing releases what it holds at once; the charges that paid for
 * still-live memory stay on every other ledger until the memory is collected.
 */
public final class Scope {
    private final String name;
    private final long limit;
    final Account account;
    private volatile boolean closed;

    Scope(String name, long limit) {
        this.name = name;
        this.limit = limit;
        this.account = new Account("scope:" + name);
    }

    public String name() {
        return name;
    }

    public long limitBytes() {
        return limit;
    }

    public long usedBytes() {
        return closed ? 0 : account.used();
    }

    public boolean isClosed() {
        return closed;
    }

    void close() {
        closed = true;
    }

    long limit() {
        return limit;
    }
}

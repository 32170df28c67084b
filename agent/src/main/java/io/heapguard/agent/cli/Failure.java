package io.heapguard.agent.cli;

/** An operation that failed, said in one line; exit status 1. */
final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
        super(message, null, false, false);
    }
}

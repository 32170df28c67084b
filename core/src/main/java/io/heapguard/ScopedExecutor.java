package io.heapguard;

import java.util.concurrent.Executor;

/**
 * An {@link Executor} whose tasks run inside the scopes open on the thread that submitted them. See
 * {@link HeapGuard#wrap(Executor)}.
 */
final class ScopedExecutor implements Executor {
    private final Executor delegate;

    ScopedExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable command) {
        delegate.execute(HeapGuard.wrap(command));
    }

    @Override
    public String toString() {
        return "HeapGuard.wrap(" + delegate + ")";
    }
}

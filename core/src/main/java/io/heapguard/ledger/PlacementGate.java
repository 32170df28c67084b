package io.heapguard.ledger;

/**
 * Keeps other threads' pinned arrays out of the run of regions one growth was just judged to fit in. G1
 * before JDK 21 places an array of half a region or more first-fit and never moves it; between a decision
 * that a 128 MiB array fits and the moment G1 places it (10 to 45 ms when G1 collects first), other
 * threads' 1-2 MiB buffers, about 1,500 a second in the blast radius, went into the middle of that run and
 * G1 threw {@code OutOfMemoryError} with 190 of 256 regions free (issue #13). The thread whose placement
 * is judged holds the gate from its look at the regions until its array exists; meanwhile other threads'
 * pinned growths wait, and growths below half a region, which G1 can move, never do.
 *
 * <p>A waiter waits at most {@link #WAIT_NANOS}: a holder that never settles its reservation (a hook that
 * failed between grant and allocation) must cost the others a delay, not their progress.
 */
final class PlacementGate {
    static final long WAIT_NANOS = 1_000_000_000L;

    private final Object lock = new Object();
    /** Written under {@link #lock}; read without it on every pinned growth. */
    private volatile Thread holder;

    /** Takes the gate, after waiting for another holder to let go; taking it again is a no-op. */
    void enter() {
        Thread me = Thread.currentThread();
        if (holder == me) {
            return;
        }
        synchronized (lock) {
            waitForOthers(me);
            holder = me;
        }
    }

    /** Whether the calling thread holds the gate. */
    boolean heldByCurrentThread() {
        return holder == Thread.currentThread();
    }

    /** Lets go of the gate if the calling thread holds it. */
    void exit() {
        if (holder != Thread.currentThread()) {
            return;
        }
        synchronized (lock) {
            holder = null;
            lock.notifyAll();
        }
    }

    /** Returns once no other thread holds the gate, or after {@link #WAIT_NANOS}. */
    void awaitOpen() {
        Thread h = holder;
        if (h == null || h == Thread.currentThread()) {
            return;
        }
        synchronized (lock) {
            waitForOthers(Thread.currentThread());
        }
    }

    private void waitForOthers(Thread me) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        boolean interrupted = false;
        long left;
        while (holder != null && holder != me && (left = deadline - System.nanoTime()) > 0) {
            try {
                lock.wait(left / 1_000_000, (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true; // a growth is not the place to give up; the flag is kept for the caller
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

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
 * <p>The wait has two sides. A pinned growth granted without a look at the regions <em>passes</em> the gate
 * when granted and has <em>landed</em> once its array exists (or will not); the holder looks only when every
 * array that passed before it has landed. When only the holder's side waited, an array granted just before the
 * look, or stopped between grant and allocation by the collection the holder had just forced, landed after the
 * look, first-fit, which is at the bottom of the run judged free when that run is the lowest one. Measured (G1 /
 * JDK 17, {@code -Xmx256m}, the blast radius's doubling hog beside four innocents, 3-s runs): 3 of 103 runs ended
 * a 64 to 128 MiB growth in G1's {@code OutOfMemoryError}, each judged to fit in a run of exactly 130 regions
 * (129 needed); with both sides, 0 of 110. {@code PlacementPassStress} shows the hole in the old gate.
 *
 * <p>Every wait lasts at most {@link #WAIT_NANOS}: a holder that never settles its reservation (a hook that
 * failed between grant and allocation), or an array that never lands, must cost the others a delay, not their
 * progress.
 */
final class PlacementGate {
    static final long WAIT_NANOS = 1_000_000_000L;

    /** What a granted growth's reservation owes the gate when its allocation is done. */
    static final byte NOTHING = 0;
    static final byte HOLDS = 1;
    static final byte PASSED = 2;

    private final Object lock = new Object();
    /** Written under {@link #lock}; read without it on every pinned growth. */
    private volatile Thread holder;
    /** Arrays that passed and have not landed; under {@link #lock}. */
    private int inFlight;

    /**
     * Takes the gate, after waiting for another holder to let go, and returns once every other thread's array
     * that passed has landed; taking it again is a no-op.
     */
    void enter(ThreadState ts) {
        Thread me = Thread.currentThread();
        if (holder == me) {
            return;
        }
        synchronized (lock) {
            long deadline = System.nanoTime() + WAIT_NANOS;
            await(me, ts, false, deadline);
            holder = me;
            await(me, ts, true, deadline);
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
            await(Thread.currentThread(), null, false, System.nanoTime() + WAIT_NANOS);
        }
    }

    /**
     * A pinned growth granted without a look at the regions: waits while another thread holds the gate, then
     * counts the array in flight until {@link #landed}.
     */
    void pass(ThreadState ts) {
        synchronized (lock) {
            await(Thread.currentThread(), ts, false, System.nanoTime() + WAIT_NANOS);
            inFlight++;
            ts.passedGate++;
        }
    }

    /** The array the calling thread passed the gate for ({@link #pass}) exists, or will not. */
    void landed(ThreadState ts) {
        synchronized (lock) {
            ts.passedGate--;
            inFlight--;
            if (holder != null) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits on {@link #lock}, held, until {@code deadline}: for the holder, until no array but its own thread's is
     * in flight; for anyone else, until no other thread holds the gate.
     */
    private void await(Thread me, ThreadState ts, boolean holding, long deadline) {
        boolean interrupted = false;
        long left;
        while ((holding ? inFlight > ts.passedGate : holder != null && holder != me)
                && (left = deadline - System.nanoTime()) > 0) {
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

package io.heapguard.bench.pressure;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Tasks due at times fixed before the run starts, taken in order by a fixed pool of threads. A task whose
 * time has passed because every thread was busy starts at once, and whoever measures it counts from its
 * due time: a stalled JVM therefore shows in the latency of every task that waited, instead of silently
 * sending fewer tasks (coordinated omission). No thread takes a task once {@code stopTakingAt} has passed,
 * so a backlog cannot keep the run going without end.
 */
final class OpenLoop {
    /** One task; {@code dueNanos} is its {@link System#nanoTime()} due time. */
    interface Task {
        void run(int index, long dueNanos);
    }

    private final long firstNanos;
    private final double intervalNanos;
    private final int count;
    private final long stopTakingAt;
    private final Task task;
    private final AtomicInteger next = new AtomicInteger();
    private final Thread[] threads;

    /** {@code count} tasks, the first due at {@code firstNanos}, then one every {@code intervalNanos}. */
    OpenLoop(String name, int threads, long firstNanos, double intervalNanos, int count, long stopTakingAt, Task task) {
        this.firstNanos = firstNanos;
        this.intervalNanos = intervalNanos;
        this.count = count;
        this.stopTakingAt = stopTakingAt;
        this.task = task;
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::takeInOrder, name + "-" + i);
            t.setDaemon(true); // one stuck past the run's bound must not keep the JVM alive
            this.threads[i] = t;
        }
    }

    long dueNanos(int index) {
        return firstNanos + Math.round(index * intervalNanos);
    }

    void start() {
        for (Thread t : threads) {
            t.start();
        }
    }

    /** Waits for every thread to end, until {@code deadlineNanos} at most; whether they all did. */
    boolean await(long deadlineNanos) throws InterruptedException {
        boolean all = true;
        for (Thread t : threads) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            all &= !t.isAlive();
        }
        return all;
    }

    private void takeInOrder() {
        int i;
        while ((i = next.getAndIncrement()) < count && System.nanoTime() - stopTakingAt < 0) {
            long due = dueNanos(i);
            parkUntil(due);
            task.run(i, due);
        }
    }

    /** Pacing, not synchronisation: nothing else can tell a thread that a point in time has come. */
    static void parkUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}

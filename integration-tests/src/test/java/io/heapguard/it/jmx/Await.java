package io.heapguard.it.jmx;

import org.junit.jupiter.api.Assertions;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A bounded wait for a value that arrives asynchronously in the other JVM: a collected buffer is credited
 * when the JDK's reference handler has enqueued its reference, a moment after the collection the app
 * waited for. Re-reads until the value is the one expected or the deadline passes; it never sleeps a fixed
 * time to let something happen.
 */
final class Await {
    private Await() {
    }

    static <T> T until(Duration timeout, Supplier<T> read, T expected, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = read.get();
        while (!Objects.equals(value, expected) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000L);
            value = read.get();
        }
        Assertions.assertEquals(expected, value, what + " (waited up to " + timeout.toSeconds() + " s)");
        return value;
    }
}

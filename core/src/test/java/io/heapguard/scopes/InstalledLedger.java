package io.heapguard.scopes;

import io.heapguard.ledger.FastLimit;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Platform;
import io.heapguard.ledger.Reservation;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The process-wide ledger, as the agent installs it, for the API that reads {@link Ledger#current()};
 * removed again after each test (through reflection: the agent never uninstalls), so the tests that
 * expect no agent still find none. No JDK class is instrumented here: a "growth" is a direct call of the
 * ledger, as a hook would make it.
 */
final class InstalledLedger implements AutoCloseable {
    final Ledger ledger;
    /** Keeps what granted growths paid for alive until the test drops it. */
    final List<Object> held = Collections.synchronizedList(new ArrayList<>());

    private InstalledLedger(Ledger ledger) {
        this.ledger = ledger;
    }

    static InstalledLedger install(HeapGuardConfig config, Platform platform) {
        uninstall(); // a test that failed half-way must not leave its ledger to the next
        return new InstalledLedger(Ledger.install(config, platform));
    }

    /** A growth of {@code bytes} on the current thread, as a hook makes it; the memory is kept alive. */
    Object grow(long bytes) {
        Object paidFor = new Object();
        Reservation r = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, bytes);
        if (r != null) {
            r.bind(paidFor);
        }
        held.add(paidFor);
        return paidFor;
    }

    @Override
    public void close() {
        ledger.exitScopes(ledger.currentScopes());
        uninstall();
    }

    static void uninstall() {
        try {
            Field f = Ledger.class.getDeclaredField("current");
            f.setAccessible(true);
            f.set(null, null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        FastLimit.publish(Long.MAX_VALUE);
    }
}

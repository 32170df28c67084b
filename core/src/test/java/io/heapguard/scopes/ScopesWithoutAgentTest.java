package io.heapguard.scopes;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaScope;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without the agent the API is inert: the same objects come back, nothing is ever refused. */
@SuppressWarnings("try")
class ScopesWithoutAgentTest {

    @BeforeEach
    void noAgent() {
        InstalledLedger.uninstall();
        assertFalse(HeapGuard.isActive());
    }

    @Test
    void wrapHandsBackWhatItWasGiven() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (QuotaScope scope = HeapGuard.scope("request", 1)) {
            Runnable r = new Runnable() {
                @Override
                public void run() {
                }
            };
            Callable<Integer> c = new Callable<Integer>() {
                @Override
                public Integer call() {
                    return 1;
                }
            };
            assertSame(r, HeapGuard.wrap(r));
            assertSame(c, HeapGuard.wrap(c));
            assertSame(pool, HeapGuard.wrap(pool));
            assertSame(pool, HeapGuard.wrap((Executor) pool));
        } finally {
            pool.shutdownNow();
        }
        assertThrows(NullPointerException.class, () -> HeapGuard.wrap((Runnable) null));
        assertThrows(NullPointerException.class, () -> HeapGuard.wrap((ExecutorService) null));
    }

    @Test
    void aDetachedScopeIsInertToo() {
        QuotaScope budget = HeapGuard.detachedScope("call", 0);
        assertFalse(budget.isGuarded());
        try (QuotaScope.Entry in = budget.enter()) {
            assertSame(in, budget.enter(), "one shared entry: no allocation");
        }
        budget.close();
        budget.close();
        assertTrue(budget.isClosed());
        assertThrows(IllegalArgumentException.class, () -> HeapGuard.detachedScope("", 1));
    }
}

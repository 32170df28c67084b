package io.heapguard.scopes;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.QuotaScope;
import io.heapguard.ledger.Ledger;
import io.heapguard.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.heapguard.testing.TestConfigs.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scopes carried into other threads by HeapGuard.wrap, with the ledger installed as the agent does. */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
class ScopeCarryTest {
    private static final long MiB = 1 << 20;

    private InstalledLedger hg;
    private ExecutorService pool;

    @BeforeEach
    void install() {
        hg = InstalledLedger.install(config().build(), TestConfigs.NO_COLLECTION);
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void uninstall() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        hg.close();
    }

    @Test
    void aWrappedRunnableIsChargedToTheScopeOnAnotherThread() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (QuotaScope scope = HeapGuard.scope("request", 10 * MiB)) {
            assertTrue(scope.isGuarded());
            Runnable task = HeapGuard.wrap(new Runnable() {
                @Override
                public void run() {
                    hg.grow(6 * MiB);
                    try {
                        hg.grow(6 * MiB);
                    } catch (QuotaExceededException e) {
                        failure.set(e);
                    }
                }
            });
            Thread t = new Thread(task);
            t.start();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(6 * MiB, scope.usedBytes());
            QuotaExceededException e = assertInstanceOf(QuotaExceededException.class, failure.get());
            assertEquals("scope:request", e.rule());
            assertEquals(10 * MiB, e.limitBytes());
            assertEquals(6 * MiB, e.usedBytes());
        }
    }

    @Test
    void withNoScopeOpenWrapReturnsTheTaskItself() {
        Runnable r = new Runnable() {
            @Override
            public void run() {
            }
        };
        Callable<String> c = new Callable<String>() {
            @Override
            public String call() {
                return "x";
            }
        };
        assertSame(r, HeapGuard.wrap(r));
        assertSame(c, HeapGuard.wrap(c));
        try (QuotaScope scope = HeapGuard.scope("s", MiB)) {
            Runnable wrapped = HeapGuard.wrap(r);
            assertNotSame(r, wrapped);
            assertSame(wrapped, HeapGuard.wrap(wrapped), "wrapping twice adds nothing");
        }
    }

    @Test
    void aTaskRunOnTheSubmittingThreadIsNotChargedTwice() {
        try (QuotaScope scope = HeapGuard.scope("request", 10 * MiB)) {
            HeapGuard.wrap(new Runnable() {
                @Override
                public void run() {
                    hg.grow(4 * MiB);
                }
            }).run();
            assertEquals(4 * MiB, scope.usedBytes());
            assertEquals(1, hg.ledger.currentScopes().length, "the thread's own scope is still open, once");
        }
        assertEquals(0, hg.ledger.currentScopes().length);
    }

    @Test
    void aCompletableFutureChainOnAWrappedExecutorStaysInsideTheBudget() {
        ExecutorService guarded = HeapGuard.wrap(pool);
        CompletableFuture<Object> chain;
        try (QuotaScope scope = HeapGuard.scope("upload", 20 * MiB)) {
            chain = CompletableFuture.supplyAsync(() -> hg.grow(8 * MiB), guarded)
                    .thenApplyAsync(x -> hg.grow(8 * MiB), guarded)
                    .thenComposeAsync(x -> CompletableFuture.supplyAsync(() -> hg.grow(8 * MiB), guarded), guarded);
            CompletionException e = assertThrows(CompletionException.class, chain::join);
            assertTrue(HeapGuard.isQuotaExceeded(e), () -> "the third stage should be refused: " + e);
            QuotaExceededException q = HeapGuard.findQuotaExceeded(e);
            assertEquals("scope:upload", q.rule());
            assertEquals(16 * MiB, q.usedBytes());
            assertEquals(16 * MiB, scope.usedBytes());
        }
    }

    @Test
    void theSameChainOnAPlainExecutorIsNotCharged() {
        try (QuotaScope scope = HeapGuard.scope("upload", 20 * MiB)) {
            CompletableFuture.supplyAsync(() -> hg.grow(8 * MiB), pool)
                    .thenApplyAsync(x -> hg.grow(8 * MiB), pool)
                    .thenApplyAsync(x -> hg.grow(8 * MiB), pool)
                    .join();
            assertEquals(0, scope.usedBytes(), "an unwrapped pool does not carry the scope");
        }
    }

    @Test
    void everySubmissionOfTheExecutorServiceCarriesTheScope() throws Exception {
        ExecutorService guarded = HeapGuard.wrap(pool);
        assertSame(guarded, HeapGuard.wrap(guarded));
        assertInstanceOf(ExecutorService.class, HeapGuard.wrap((Executor) pool));
        try (QuotaScope scope = HeapGuard.scope("batch", 100 * MiB)) {
            CountDownLatch executed = new CountDownLatch(1);
            guarded.execute(new Runnable() {
                @Override
                public void run() {
                    hg.grow(MiB);
                    executed.countDown();
                }
            });
            assertTrue(executed.await(10, TimeUnit.SECONDS));
            guarded.submit(new Runnable() {
                @Override
                public void run() {
                    hg.grow(2 * MiB);
                }
            }).get(10, TimeUnit.SECONDS);
            assertEquals("r", guarded.submit(new Runnable() {
                @Override
                public void run() {
                    hg.grow(3 * MiB);
                }
            }, "r").get(10, TimeUnit.SECONDS));
            guarded.submit(growing(4 * MiB)).get(10, TimeUnit.SECONDS);
            for (Future<Object> f : guarded.invokeAll(List.of(growing(5 * MiB), growing(6 * MiB)))) {
                f.get(10, TimeUnit.SECONDS);
            }
            guarded.invokeAny(List.of(growing(7 * MiB)));
            assertEquals(28 * MiB, scope.usedBytes());
        }
    }

    @Test
    void aPlainExecutorIsDecoratedToo() throws Exception {
        Executor direct = new Executor() {
            @Override
            public void execute(Runnable command) {
                new Thread(command).start();
            }
        };
        Executor guarded = HeapGuard.wrap(direct);
        try (QuotaScope scope = HeapGuard.scope("direct", 100 * MiB)) {
            CountDownLatch done = new CountDownLatch(1);
            guarded.execute(new Runnable() {
                @Override
                public void run() {
                    hg.grow(3 * MiB);
                    done.countDown();
                }
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(3 * MiB, scope.usedBytes());
        }
    }

    @Test
    void aWorkerLeavesTheScopeWhenTheTaskEnds() throws Exception {
        ExecutorService single = HeapGuard.wrap(Executors.newSingleThreadExecutor());
        try {
            try (QuotaScope scope = HeapGuard.scope("request", MiB)) {
                Future<?> refused = single.submit(growing(2 * MiB));
                ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
                assertEquals("scope:request", HeapGuard.findQuotaExceeded(e).rule());
            }
            // outside any scope now: the same worker thread takes the growth, and has no scope open
            Future<Integer> after = single.submit(new Callable<Integer>() {
                @Override
                public Integer call() {
                    hg.grow(2 * MiB);
                    return Ledger.current().currentScopes().length;
                }
            });
            assertEquals(0, after.get(10, TimeUnit.SECONDS));
        } finally {
            single.shutdownNow();
            assertTrue(single.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aTaskThatRunsAfterTheScopeClosedIsNotBoundByIt() throws Exception {
        Runnable task;
        QuotaScope scope = HeapGuard.scope("request", MiB);
        try {
            task = HeapGuard.wrap(new Runnable() {
                @Override
                public void run() {
                    hg.grow(2 * MiB);
                }
            });
        } finally {
            scope.close();
        }
        Future<?> f = pool.submit(task);
        f.get(10, TimeUnit.SECONDS); // no refusal
        assertEquals(0, scope.usedBytes());
    }

    @Test
    void nestedScopesAreCarriedAndTheInnermostSpentOneRefuses() throws Exception {
        ExecutorService guarded = HeapGuard.wrap(pool);
        try (QuotaScope outer = HeapGuard.scope("request", 10 * MiB)) {
            try (QuotaScope inner = HeapGuard.scope("parse", 2 * MiB)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> guarded.submit(growing(3 * MiB)).get(10, TimeUnit.SECONDS));
                assertEquals("scope:parse", HeapGuard.findQuotaExceeded(e).rule());
                assertEquals(0, inner.usedBytes());
                assertEquals(0, outer.usedBytes(), "a refused growth charges nothing anywhere");
            }
            guarded.submit(growing(3 * MiB)).get(10, TimeUnit.SECONDS);
            assertEquals(3 * MiB, outer.usedBytes());
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> guarded.submit(growing(8 * MiB)).get(10, TimeUnit.SECONDS));
            assertEquals("scope:request", HeapGuard.findQuotaExceeded(e).rule());
        }
    }

    @Test
    void closingTheScopeReleasesWhatItHoldsAtOnce() {
        Object kept;
        try (QuotaScope first = HeapGuard.scope("first", 10 * MiB)) {
            kept = hg.grow(8 * MiB);
            assertEquals(8 * MiB, first.usedBytes());
            first.close();
            assertEquals(0, first.usedBytes());
            assertTrue(first.isClosed());
        }
        try (QuotaScope second = HeapGuard.scope("second", 10 * MiB)) {
            hg.grow(8 * MiB); // the first scope's 8 MiB are still alive, but not this scope's business
            assertEquals(8 * MiB, second.usedBytes());
        }
        assertTrue(hg.held.contains(kept));
    }

    @Test
    void whatTheScopeHoldsIsReleasedWhenTheMemoryIsCollected() {
        hg.close();
        hg = InstalledLedger.install(config().build(), TestConfigs.JDK_PLATFORM);
        try (QuotaScope scope = HeapGuard.scope("collected", 10 * MiB)) {
            growGarbage(8 * MiB);
            assertEquals(8 * MiB, scope.usedBytes());
            growGarbage(8 * MiB); // granted: the ledger has the first 8 MiB collected before it would refuse
            assertEquals(8 * MiB, scope.usedBytes());
            assertTrue(hg.ledger.forcedCollections() >= 1);
        }
    }

    private void growGarbage(long bytes) {
        io.heapguard.ledger.Reservation r = hg.ledger.reserve(io.heapguard.ledger.GrowthPoint.BYTE_BUFFER_ALLOCATE, 0,
                bytes);
        r.bind(new Object());
    }

    @Test
    void aDetachedScopeCountsOnlyWhileEnteredAndCanBeClosedFromAnyThread() throws Exception {
        QuotaScope budget = HeapGuard.detachedScope("call", 10 * MiB);
        hg.grow(8 * MiB);
        assertEquals(0, budget.usedBytes(), "a detached scope is not entered by the thread that opened it");
        try (QuotaScope.Entry in = budget.enter()) {
            hg.grow(4 * MiB);
            try (QuotaScope.Entry again = budget.enter()) {
                hg.grow(4 * MiB); // entered twice: still charged once
            }
            assertEquals(8 * MiB, budget.usedBytes());
            QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> hg.grow(4 * MiB));
            assertEquals("scope:call", e.rule());
        }
        hg.grow(4 * MiB);
        assertEquals(8 * MiB, budget.usedBytes());

        Future<?> elsewhere = pool.submit(new Callable<Void>() {
            @Override
            public Void call() {
                try (QuotaScope.Entry in = budget.enter()) {
                    assertThrows(QuotaExceededException.class, () -> hg.grow(4 * MiB));
                }
                budget.close(); // the call ends on another thread
                return null;
            }
        });
        elsewhere.get(10, TimeUnit.SECONDS);
        assertTrue(budget.isClosed());
        assertEquals(0, budget.usedBytes());
        try (QuotaScope.Entry in = budget.enter()) {
            hg.grow(20 * MiB); // a closed scope refuses nothing
        }
        assertEquals(0, hg.ledger.currentScopes().length);
    }

    private Callable<Object> growing(long bytes) {
        return new Callable<Object>() {
            @Override
            public Object call() {
                return hg.grow(bytes);
            }
        };
    }
}

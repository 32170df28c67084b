package io.heapguard.it.apps.scopes;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.QuotaScope;
import io.heapguard.it.apps.Report;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Per-request budgets as an application uses them, with or without the agent (then core is on the class
 * path and nothing is refused). Every growth is a real ByteArrayOutputStream growth.
 */
@SuppressWarnings("try") // scopes are opened for their effect on the thread
public final class ScopesApp {
    public static void main(String[] args) throws Exception {
        result("active", HeapGuard.isActive());
        apiScope();
        nested();
        releasedOnClose();
        async();
        wrappedThread();
        configuredEntry();
        result("done", true);
    }

    /** One write of {@code mib} MiB into a fresh buffer: one growth of exactly that size. */
    static ByteArrayOutputStream grow(int mib) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[mib * MiB], 0, mib * MiB);
        return out;
    }

    /** Runs {@code task}; reports {@code <key>.granted} or the refusal under {@code key}. */
    static void attempt(String key, Runnable task) {
        try {
            task.run();
            result(key + ".granted", true);
        } catch (RuntimeException e) {
            QuotaExceededException q = HeapGuard.findQuotaExceeded(e);
            if (q == null) {
                throw e;
            }
            result(key + ".granted", false);
            result(key + ".wrapped", e != q);
            Report.refusal(key, q);
        }
    }

    static void apiScope() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (QuotaScope scope = HeapGuard.scope("req", 8 * MiB)) {
            result("api.guarded", scope.isGuarded());
            body.write(new byte[4 * MiB], 0, 4 * MiB);
            result("api.used", scope.usedBytes());
            attempt("api", () -> body.write(new byte[8 * MiB], 0, 8 * MiB)); // a growth to 12 MiB
            result("api.size-after", body.size());
        }
        attempt("api.after-close", () -> body.write(new byte[8 * MiB], 0, 8 * MiB));
        result("api.size-end", body.size());
    }

    static void nested() {
        try (QuotaScope outer = HeapGuard.scope("outer", 32 * MiB)) {
            try (QuotaScope inner = HeapGuard.scope("inner", 8 * MiB)) {
                attempt("nested.inner", () -> grow(12));
            }
            attempt("nested.outer-ok", () -> grow(12));
            attempt("nested.outer", () -> grow(40));
        }
    }

    static void releasedOnClose() {
        ByteArrayOutputStream kept;
        try (QuotaScope a = HeapGuard.scope("a", 8 * MiB)) {
            kept = grow(6);
            result("close.a.used", a.usedBytes());
            a.close();
            result("close.a.used-after-close", a.usedBytes());
        }
        try (QuotaScope b = HeapGuard.scope("b", 8 * MiB)) {
            attempt("close.b", () -> grow(6));
        }
        result("close.kept", kept.size());
    }

    static void async() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ExecutorService guarded = HeapGuard.wrap(pool);
        result("async.wrapped-is-same", guarded == pool);
        try (QuotaScope scope = HeapGuard.scope("async", 8 * MiB)) {
            attempt("async", () -> CompletableFuture.supplyAsync(() -> grow(4), guarded)
                    .thenApplyAsync(first -> grow(6).size() + first.size(), guarded)
                    .join());
            attempt("async.plain-pool", () -> CompletableFuture.supplyAsync(() -> grow(4), pool)
                    .thenApplyAsync(first -> grow(6).size() + first.size(), pool)
                    .join());
        }
        pool.shutdown();
        result("async.terminated", pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    static void wrappedThread() throws InterruptedException {
        String[] outcome = new String[1];
        try (QuotaScope scope = HeapGuard.scope("thread", 4 * MiB)) {
            Thread t = new Thread(HeapGuard.wrap(() -> {
                try {
                    grow(6);
                    outcome[0] = "granted";
                } catch (QuotaExceededException e) {
                    outcome[0] = e.rule();
                }
            }));
            t.start();
            t.join(10_000);
        }
        result("thread.outcome", outcome[0]);
    }

    static void configuredEntry() {
        UploadHandler handler = new UploadHandler();
        attempt("entry.small", () -> handler.handle(4));
        attempt("entry.large", () -> handler.handle(16));
        attempt("entry.static", () -> UploadHandler.handle("12"));
        attempt("entry.recursive", () -> handler.handle(12, 3));
        attempt("entry.recursive-small", () -> handler.handle(3, 3));
        // the scope closed when the refused call threw: the same growth outside the entry is granted
        attempt("entry.outside", () -> grow(16));
    }
}

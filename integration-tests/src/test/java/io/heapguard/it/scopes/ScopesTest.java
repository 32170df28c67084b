package io.heapguard.it.scopes;

import io.heapguard.HeapGuard;
import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.scopes.ScopesApp;
import io.heapguard.it.apps.scopes.UploadHandler;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/**
 * Per-request budgets under the real agent: {@code HeapGuard.scope} (nested, released on close), scopes
 * carried by {@code HeapGuard.wrap} into threads and a {@code CompletableFuture} chain, and a scope
 * opened by configuration alone around every call of {@code UploadHandler#handle}. Without the agent the
 * same application runs with nothing refused.
 */
class ScopesTest {
    private static final String ENTRY = "scope.upload.entry=" + UploadHandler.class.getName() + "#handle,"
            + "scope.upload.limit=8m";

    @OnEachJdk
    void scopesRefuseCarryAndRelease(Jdk jdk) {
        JvmResult r = Jvm.on(jdk).agent(ENTRY).run(ScopesApp.class);
        r.assertExit(0).assertNoStackTrace().assertStderrEmpty().assertResult("done", true);
        r.assertResult("active", true);

        // HeapGuard.scope: 4 MiB held, a growth to 12 MiB breaks the 8 MiB budget; the buffer is intact
        r.assertResult("api.guarded", true);
        r.assertResult("api.used", 4 * MiB);
        assertRefused(r, "api", "scope:req", ScopesApp.class, 12 * MiB, 8 * MiB, "ByteArrayOutputStream");
        r.assertResult("api.wrapped", false);
        r.assertResult("api.size-after", 4 * MiB);
        r.assertResult("api.after-close.granted", true);
        r.assertResult("api.size-end", 12 * MiB);

        // nested: the inner budget refuses first, then the outer
        assertRefused(r, "nested.inner", "scope:inner", ScopesApp.class, 12 * MiB, 8 * MiB, null);
        r.assertResult("nested.outer-ok.granted", true);
        assertRefused(r, "nested.outer", "scope:outer", ScopesApp.class, 40 * MiB, 32 * MiB, null);

        // closing releases what the scope holds, though the memory is still alive
        r.assertResult("close.a.used", 6 * MiB);
        r.assertResult("close.a.used-after-close", 0);
        r.assertResult("close.b.granted", true);
        r.assertResult("close.kept", 6 * MiB);

        // a CompletableFuture chain on a wrapped executor stays inside the budget; on a plain one it does not
        r.assertResult("async.wrapped-is-same", false);
        assertRefused(r, "async", "scope:async", ScopesApp.class, 6 * MiB, 8 * MiB, null);
        r.assertResult("async.wrapped", true); // a CompletionException around the refusal
        r.assertResult("async.plain-pool.granted", true);
        r.assertResult("async.terminated", true);
        r.assertResult("thread.outcome", "scope:thread");

        // scope.upload.entry: every overload of UploadHandler#handle runs inside an 8 MiB scope
        r.assertResult("entry.small.granted", true);
        assertRefused(r, "entry.large", "scope:upload", UploadHandler.class, null, 8 * MiB, null);
        assertRefused(r, "entry.static", "scope:upload", UploadHandler.class, 12 * MiB, 8 * MiB, null);
        assertRefused(r, "entry.recursive", "scope:upload", UploadHandler.class, null, 8 * MiB, null);
        r.assertResult("entry.recursive-small.granted", true);
        r.assertResult("entry.outside.granted", true); // the refused call's scope was closed as it threw
    }

    @OnEachJdk
    void withoutTheAgentTheSameApplicationIsNeverRefused(Jdk jdk) {
        JvmResult r = Jvm.on(jdk).classpath(Build.jarOf(HeapGuard.class)).run(ScopesApp.class);
        r.assertExit(0).assertNoStackTrace().assertStderrEmpty().assertResult("done", true);
        r.assertResult("active", false);
        r.assertResult("api.guarded", false);
        r.assertResult("async.wrapped-is-same", true);
        for (String key : new String[] {"api", "nested.inner", "nested.outer", "close.b", "async", "entry.large",
            "entry.static", "entry.recursive", "entry.outside"}) {
            r.assertResult(key + ".granted", true);
        }
        r.assertResult("thread.outcome", "granted");
    }
}

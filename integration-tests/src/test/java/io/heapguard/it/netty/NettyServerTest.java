package io.heapguard.it.netty;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.netty.NettyServerApp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Growth point {@code netty.ByteBuf} in a real Netty HTTP server ({@link NettyServerApp}) on Netty 4.1 and
 * 4.2, with each kind of allocator: a body past the rule's 16 MiB {@code max-buffer} is refused while
 * {@code HttpObjectAggregator} aggregates it, the server answers 413 and goes on serving ordinary requests,
 * concurrent ones too; a request's scope refuses a body past its own budget; and the rule's figure is back
 * to zero after the load, for pooled and direct buffers because their release credits it (no collection asked);
 * the direct memory Netty takes for its buffers is never charged as {@code ByteBuffer.allocateDirect}.
 */
class NettyServerTest {
    private static final String RULE = "rule.netty.targets=netty.ByteBuf,rule.netty.max-buffer=16m,"
            // counts only: Netty's own direct memory (arena chunks, unpooled direct buffers) is netty.ByteBuf's
            + "rule.nettydirect.targets=ByteBuffer.allocateDirect,rule.nettydirect.callers=io.netty.*";

    /** The jars of one Netty line, copied by the build into {@code target/netty-<line>}. */
    private static Path[] netty(String line) {
        Path dir = Build.appsClasspath().resolveSibling("netty-" + line);
        assertTrue(Files.isDirectory(dir), dir + " is missing: the build copies Netty's jars there");
        try (Stream<Path> jars = Files.list(dir)) {
            return jars.filter(p -> p.toString().endsWith(".jar")).sorted().toArray(Path[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param allocator {@code pooled}, {@code unpooled}, {@code adaptive}, or null for the line's default
     * @param direct    whether Netty prefers direct buffers ({@code -Dio.netty.noPreferDirect} is its negation)
     */
    private static JvmResult serve(Jdk jdk, String line, String allocator, boolean direct, String scopeLimit) {
        // scopeLimit: the bytes of the scope each request opens, or null for none
        Jvm jvm = Jvm.on(jdk).options("-Xmx512m", "-XX:MaxDirectMemorySize=512m").classpath(netty(line))
                .sysProp("io.netty.noPreferDirect", String.valueOf(!direct))
                .agent(RULE);
        if (allocator != null) {
            jvm.sysProp("io.netty.allocator.type", allocator);
        }
        if (scopeLimit != null) {
            jvm.sysProp("app.scope.limit", scopeLimit);
        }
        JvmResult r = jvm.timeout(java.time.Duration.ofSeconds(120)).run(NettyServerApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);
        assertTrue(r.result("netty").startsWith(line + "."), r::describe);

        for (int i = 0; i < 3; i++) {
            r.assertResult("ordinary." + i + ".status", 200).assertResult("ordinary." + i + ".body-ok", true);
        }
        r.assertResult("oversized.0.status", 413);
        // a request's own scope, where there is one, is smaller than the rule's cap
        long limit = scopeLimit == null ? 16 * MiB : Long.parseLong(scopeLimit);
        r.assertResult("refusal.1.rule", scopeLimit == null ? "netty" : "scope:request");
        r.assertResult("refusal.1.target", "netty.ByteBuf");
        r.assertResult("refusal.1.limit", limit);
        r.assertResult("refusal.1.loader", "bootstrap");
        long requested = r.longResult("refusal.1.requested");
        assertTrue(requested > limit && requested <= limit + MiB, () -> "one component past the limit\n" + r.describe());
        // the first frame outside Netty: the application's handler that passed the body on to the aggregator
        r.assertResult("refusal.1.callsite-class", NettyServerApp.class.getName() + "$RequestHandler");
        r.assertResult("after.ok", 12);
        r.assertResult("end.ok", 8);
        r.assertResult("refusals", scopeLimit == null ? 1 : 2);
        r.assertResult("settled.used", 0);
        if (direct) { // a heap buffer's socket I/O takes the JDK's temporary direct buffers, ByteBuffer.allocateDirect's
            r.assertResult("nettydirect.used", 0);
        }
        return r;
    }

    /** Pooled and direct memory is credited as the buffer is released: nothing waits for a collection. */
    private static void creditedAtRelease(JvmResult r) {
        r.assertResult("settled.asked-collections", 0);
    }

    /**
     * The line's default allocator ({@code allocator}) with direct buffers, each request in a scope of 8 MiB:
     * credited at release, and a body past the scope is refused while one within it is served.
     */
    private static void defaultDirectWithAScopePerRequest(Jdk jdk, String line, String allocator) {
        JvmResult r = serve(jdk, line, null, true, String.valueOf(8 * MiB));
        r.assertResult("allocator", allocator);
        creditedAtRelease(r);
        r.assertResult("past-scope.0.status", 413);
        r.assertResult("refusal.2.rule", "scope:request");
        r.assertResult("within-scope.0.status", 200).assertResult("within-scope.0.body-ok", true);
    }

    @OnEachJdk
    void netty41PooledDirectWithAScopePerRequest(Jdk jdk) {
        defaultDirectWithAScopePerRequest(jdk, "4.1", "PooledByteBufAllocator");
    }

    @OnEachJdk
    void netty41PooledHeap(Jdk jdk) {
        creditedAtRelease(serve(jdk, "4.1", "pooled", false, null));
    }

    @OnEachJdk
    void netty41UnpooledDirect(Jdk jdk) {
        creditedAtRelease(serve(jdk, "4.1", "unpooled", true, null));
    }

    @OnEachJdk
    void netty41UnpooledHeap(Jdk jdk) {
        serve(jdk, "4.1", "unpooled", false, null).assertResult("allocator", "UnpooledByteBufAllocator");
    }

    @OnEachJdk
    void netty42AdaptiveDirectWithAScopePerRequest(Jdk jdk) {
        defaultDirectWithAScopePerRequest(jdk, "4.2", "AdaptiveByteBufAllocator");
    }

    @OnEachJdk
    void netty42PooledHeap(Jdk jdk) {
        creditedAtRelease(serve(jdk, "4.2", "pooled", false, null));
    }

    @OnEachJdk
    void netty42UnpooledDirect(Jdk jdk) {
        creditedAtRelease(serve(jdk, "4.2", "unpooled", true, null));
    }
}

package io.heapguard.it.apps.netty;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.QuotaScope;
import io.heapguard.it.apps.Report;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import javax.management.ObjectName;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * A Netty HTTP server as people write one: {@code HttpServerCodec}, a per-request handler, an
 * {@code HttpObjectAggregator} that takes bodies up to 1 GiB, and an endpoint that answers with the body's
 * length and CRC. A body the agent refuses while it is aggregated is answered 413 by the endpoint's
 * {@code exceptionCaught}; the rest of it is read and dropped, and the connection serves on. A real client
 * ({@code java.net.http.HttpClient}) on 127.0.0.1 sends ordinary bodies, an oversized one, ordinary ones
 * again, concurrently, and (with {@code -Dapp.scope.limit}) a body past its request's scope. Then the
 * figure the rule {@code netty} holds over JMX, which must come back to zero, and that of the rule
 * {@code nettydirect} (on {@code ByteBuffer.allocateDirect} called from Netty).
 *
 * <p>Runs unchanged on Netty 4.1 and 4.2 (the test puts one or the other on the class path); the allocator
 * is Netty's default or what {@code -Dio.netty.allocator.type} and {@code -Dio.netty.noPreferDirect} choose.
 */
public final class NettyServerApp {
    static final int MAX_CONTENT = 1 << 30;
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        long scopeLimit = Long.getLong("app.scope.limit", -1);
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        result("allocator", alloc.getClass().getSimpleName());
        result("netty", Channel.class.getPackage().getImplementationVersion());
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup workers = new NioEventLoopGroup(2);
        try {
            Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("codec", new HttpServerCodec())
                                    .addLast("request", new RequestHandler(scopeLimit))
                                    .addLast("aggregator", new HttpObjectAggregator(MAX_CONTENT))
                                    .addLast("endpoint", new Endpoint());
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
            Client client = new Client(URI.create("http://127.0.0.1:" + port + "/upload"));

            client.post("ordinary", 1 * MiB, 3);
            client.post("oversized", 64 * MiB, 1);
            client.concurrently("after", 2 * MiB, 3, 4);
            if (scopeLimit >= 0) {
                client.post("past-scope", 12 * MiB, 1);
                client.post("within-scope", 3 * MiB, 1);
            }
            client.concurrently("end", 1 * MiB, 2, 4);
            result("refusals", Endpoint.REFUSALS.get());
            settle();
            server.close().sync();
        } finally {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        result("done", true);
    }

    /**
     * What the rule holds once the load is over. Released buffers are credited as they are released, so
     * pooled and direct buffers are back to zero without a collection ({@code settled.collections} = 0 unless
     * the JVM collected on its own); an unpooled heap buffer's array is credited once collected, so after
     * 3 s up to ten collections are asked for. The server answers before it releases a request, hence the
     * polling.
     */
    static void settle() throws Exception {
        ObjectName rule = new ObjectName("io.heapguard:type=Rule,name=netty");
        long collectionsBefore = collections();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long used = used(rule);
        int polls = 0;
        int asked = 0;
        while (used != 0 && System.nanoTime() < deadline) {
            if (++polls > 300 && asked < 10) { // 3 s: a loaded machine may be slow to release the last request
                System.gc();
                asked++;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // a poll's interval
            used = used(rule);
        }
        result("settled.used", used);
        result("settled.asked-collections", asked);
        result("settled.collections", collections() - collectionsBefore);
        result("nettydirect.used", used(new ObjectName("io.heapguard:type=Rule,name=nettydirect")));
    }

    private static long used(ObjectName rule) throws Exception {
        return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(rule, "UsedBytes");
    }

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    static long crc(ByteBuf buf) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer());
        return crc.getValue();
    }

    /**
     * Opens a scope per request (with {@code app.scope.limit}) and enters it around each part of the request
     * that reaches the aggregator: an event loop serves many connections, so the scope is on the thread only
     * while this request's bytes are handled. After a refusal, drops the rest of the request, then answers.
     */
    static final class RequestHandler extends ChannelInboundHandlerAdapter {
        private final long scopeLimit;
        private QuotaScope scope;
        private boolean discarding;
        private boolean handlingLast;

        RequestHandler(long scopeLimit) {
            this.scopeLimit = scopeLimit;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean last = msg instanceof LastHttpContent;
            if (discarding) {
                ReferenceCountUtil.release(msg);
                if (last) {
                    discarding = false;
                    tooLarge(ctx);
                }
                return;
            }
            if (msg instanceof HttpRequest && scopeLimit >= 0) {
                scope = HeapGuard.detachedScope("request", scopeLimit);
            }
            handlingLast = last;
            try (QuotaScope.Entry entered = scope == null ? null : scope.enter()) {
                ctx.fireChannelRead(msg);
            } finally {
                handlingLast = false;
                if (last) {
                    closeScope();
                }
            }
        }

        /** The endpoint saw this request refused: forget what was aggregated, drop the rest, answer 413. */
        void refused(ChannelHandlerContext endpointCtx) {
            endpointCtx.pipeline().replace("aggregator", "aggregator", new HttpObjectAggregator(MAX_CONTENT));
            if (handlingLast) {
                tooLarge(endpointCtx.pipeline().context(this));
            } else {
                discarding = true;
            }
        }

        private void tooLarge(ChannelHandlerContext ctx) {
            closeScope();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.copiedBuffer("refused", StandardCharsets.US_ASCII));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }

        private void closeScope() {
            if (scope != null) {
                scope.close();
                scope = null;
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeScope();
            ctx.fireChannelInactive();
        }
    }

    /** Answers a whole body with its length and CRC; a refused one, through {@code exceptionCaught}, with 413. */
    static final class Endpoint extends SimpleChannelInboundHandler<FullHttpRequest> {
        static final AtomicInteger REFUSALS = new AtomicInteger();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ByteBuf body = request.content();
            String text = body.readableBytes() + " " + crc(body);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            QuotaExceededException refusal = HeapGuard.findQuotaExceeded(cause);
            if (refusal == null) {
                result("server.error", cause);
                ctx.close();
                return;
            }
            Report.refusal("refusal." + REFUSALS.incrementAndGet(), refusal);
            ctx.pipeline().get(RequestHandler.class).refused(ctx);
        }
    }

    /** {@code java.net.http.HttpClient} on HTTP/1.1; each answer reported as {@code <key>.<i>.status} and body. */
    static final class Client {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT).build();
        private final URI uri;

        Client(URI uri) {
            this.uri = uri;
        }

        void post(String key, int bytes, int times) throws Exception {
            for (int i = 0; i < times; i++) {
                report(key + "." + i, bytes, send(bytes).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
        }

        /** {@code times} rounds of {@code parallel} requests at once. */
        void concurrently(String key, int bytes, int times, int parallel) throws Exception {
            int ok = 0;
            for (int i = 0; i < times; i++) {
                List<CompletableFuture<HttpResponse<String>>> round = new ArrayList<>();
                for (int j = 0; j < parallel; j++) {
                    round.add(send(bytes));
                }
                for (CompletableFuture<HttpResponse<String>> f : round) {
                    HttpResponse<String> r = f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    ok += r.statusCode() == 200 && r.body().equals(expected(bytes)) ? 1 : 0;
                }
            }
            result(key + ".ok", ok);
        }

        private CompletableFuture<HttpResponse<String>> send(int bytes) {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .POST(BodyPublishers.ofByteArray(Report.pattern(0, bytes))).build();
            return http.sendAsync(request, BodyHandlers.ofString());
        }

        private static String expected(int bytes) {
            return bytes + " " + Report.patternCrc(bytes);
        }

        private static void report(String key, int bytes, HttpResponse<String> r) {
            result(key + ".status", r.statusCode());
            result(key + ".body-ok", r.statusCode() != 200 || r.body().equals(expected(bytes)));
        }
    }
}

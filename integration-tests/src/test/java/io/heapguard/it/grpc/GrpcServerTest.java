package io.heapguard.it.grpc;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.internal.InternalFutureFailureAccess;
import com.google.gson.Gson;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.internal.ServerImpl;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.util.MutableHandlerRegistry;
import io.heapguard.grpc.HeapGuardInterceptor;
import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.ServerJvm;
import io.heapguard.it.apps.grpc.UploadServer;
import io.perfmark.PerfMark;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gRPC server ({@link UploadServer}: grpc-netty-shaded, heapguard-grpc's interceptor, a budget of 16 MiB per
 * call) under the agent with {@code -Xmx256m}, over the network from a real client: an upload streamed past the
 * heap's size ends in {@code RESOURCE_EXHAUSTED} with the refusal's message, and the calls before and after it are
 * served.
 */
class GrpcServerTest {
    private static final Duration LIFETIME = Duration.ofSeconds(120);
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int CHUNK = 1 << 20;

    /** The server's class path: the test applications, heapguard-grpc and gRPC with what it needs at run time. */
    private static String classpath() {
        return Stream.of(Build.appsClasspath(), Build.jarOf(HeapGuardInterceptor.class), Build.jarOf(Server.class),
                        Build.jarOf(ServerImpl.class), Build.jarOf(NettyServerBuilder.class),
                        Build.jarOf(MutableHandlerRegistry.class), Build.jarOf(ServerCalls.class),
                        Build.jarOf(Preconditions.class), Build.jarOf(InternalFutureFailureAccess.class),
                        Build.jarOf(PerfMark.class), Build.jarOf(Gson.class))
                .map(Object::toString).distinct().collect(Collectors.joining(File.pathSeparator));
    }

    @OnEachJdk
    void anUploadPastTheCallsBudgetEndsInResourceExhaustedAndOtherCallsGoOn(Jdk jdk) throws Exception {
        List<String> args = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1",
                "-javaagent:" + Build.agentJar(), "-cp", classpath(), UploadServer.class.getName(), "16");
        try (ServerJvm server = ServerJvm.start(jdk, "grpc-upload-server", LIFETIME, PATIENCE, args)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                assertEquals("read " + 3 * CHUNK + " bytes", upload(channel, 3, server).get());

                Status refused = upload(channel, 300, server).failure(); // 300 MiB: more than the server's heap
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getCode(), refused::toString);
                assertTrue(refused.getDescription().startsWith("heapguard refused "), refused::getDescription);
                assertTrue(refused.getDescription().contains("scope:" + UploadServer.SERVICE + "/Upload limit 16.0 MiB"),
                        refused::getDescription);

                assertEquals("read " + 5 * CHUNK + " bytes", upload(channel, 5, server).get(), "the next call is served");
                assertTrue(server.isAlive(), server::describe);
            } finally {
                channel.shutdownNow();
                channel.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Streams {@code chunks} chunks of 1 MiB as the transport is ready for them (so the client never holds more
     * than a little of the upload), then half-closes; stops sending when the call ends early.
     */
    private static Outcome upload(ManagedChannel channel, int chunks, ServerJvm server) {
        CompletableFuture<String> result = new CompletableFuture<>();
        byte[] chunk = new byte[CHUNK];
        ClientResponseObserver<byte[], byte[]> observer = new ClientResponseObserver<>() {
            private int sent;

            @Override
            public void beforeStart(ClientCallStreamObserver<byte[]> requests) {
                requests.setOnReadyHandler(() -> {
                    while (requests.isReady() && sent < chunks && !result.isDone()) {
                        requests.onNext(chunk);
                        if (++sent == chunks) {
                            requests.onCompleted();
                        }
                    }
                });
            }

            @Override
            public void onNext(byte[] answer) {
                result.complete(new String(answer, StandardCharsets.UTF_8));
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete("(completed without an answer)");
            }
        };
        ClientCalls.asyncClientStreamingCall(channel.newCall(UploadServer.UPLOAD,
                CallOptions.DEFAULT.withDeadlineAfter(PATIENCE.toSeconds(), TimeUnit.SECONDS)), observer);
        return new Outcome(result, server);
    }

    /** How a call ended: its answer or its status. */
    private static final class Outcome {
        private final CompletableFuture<String> result;
        private final ServerJvm server;

        Outcome(CompletableFuture<String> result, ServerJvm server) {
            this.result = result;
            this.server = server;
        }

        String get() throws InterruptedException, TimeoutException {
            try {
                return result.get(PATIENCE.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("the call failed: " + Status.fromThrowable(e.getCause()) + "\n"
                        + server.describe(), e.getCause());
            }
        }

        Status failure() throws InterruptedException, TimeoutException {
            try {
                String answer = result.get(PATIENCE.toSeconds() + 5, TimeUnit.SECONDS);
                throw new AssertionError("the call was served: " + answer + "\n" + server.describe());
            } catch (ExecutionException e) {
                return Status.fromThrowable(e.getCause());
            }
        }
    }
}

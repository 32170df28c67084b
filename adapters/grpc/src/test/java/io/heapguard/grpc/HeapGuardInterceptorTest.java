package io.heapguard.grpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HeapGuardInterceptor} on a server reached over the in-process transport, with a service defined
 * by hand (a {@link MethodDescriptor} and a byte[] marshaller, no protoc). Without the agent a refusal is a
 * {@link QuotaExceededException} the handler throws or passes on wrapped; under the agent two tests make
 * real growths past the call's budget.
 */
class HeapGuardInterceptorTest {
    private static final long MiB = 1 << 20;
    private static final String SERVICE = "heapguard.test.Converter";

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<byte[]>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> CONVERT = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Convert"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    static final MethodDescriptor<byte[], byte[]> COLLECT = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Collect"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(CONVERT, ServerCalls.asyncUnaryCall(HeapGuardInterceptorTest::convert))
                .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(HeapGuardInterceptorTest::collect))
                .build();
        String name = InProcessServerBuilder.generateName();
        // the default executor: callbacks run on pool threads, not the caller's
        server = InProcessServerBuilder.forName(name)
                .addService(ServerInterceptors.intercept(service, new HeapGuardInterceptor(4 * MiB)))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The request names what the handler does. */
    static void convert(byte[] request, StreamObserver<byte[]> response) {
        String command = new String(request, 0, Math.min(request.length, 32), StandardCharsets.US_ASCII).trim();
        switch (command) {
            case "thrown":
                throw new IllegalStateException("conversion failed", new ExecutionException(refusal("scope:x")));
            case "on-error":
                response.onError(new UncheckedIOException(new IOException(refusal("scope:x"))));
                return;
            case "short-of-memory":
                throw new RuntimeException(refusal("heap-reserve"));
            case "bug":
                throw new IllegalStateException("an ordinary bug");
            case "grow": {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(new byte[(int) (16 * MiB)], 0, (int) (16 * MiB)); // past the 4 MiB budget
                response.onNext(out.toByteArray());
                response.onCompleted();
                return;
            }
            default:
                response.onNext(("converted " + request.length).getBytes(StandardCharsets.US_ASCII));
                response.onCompleted();
        }
    }

    /** Keeps every message of the stream in memory until the client is done. */
    static StreamObserver<byte[]> collect(StreamObserver<byte[]> response) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        return new StreamObserver<byte[]>() {
            @Override
            public void onNext(byte[] message) {
                all.write(message, 0, message.length);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                response.onNext(("collected " + all.size()).getBytes(StandardCharsets.US_ASCII));
                response.onCompleted();
            }
        };
    }

    static QuotaExceededException refusal(String rule) {
        return new QuotaExceededException(rule, 32 * MiB, 4 * MiB, 2 * MiB,
                new StackTraceElement("com.example.Convert", "run", "Convert.java", 7));
    }

    private static byte[] call(String command) {
        return ClientCalls.blockingUnaryCall(channel, CONVERT, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                command.getBytes(StandardCharsets.US_ASCII));
    }

    private static Status failure(String command) {
        return assertThrows(StatusRuntimeException.class, () -> call(command)).getStatus();
    }

    @Test
    void anOrdinaryCallIsServed() {
        assertEquals("converted 5", new String(call("hello"), StandardCharsets.US_ASCII));
    }

    @Test
    void aRefusalThrownWrappedIsResourceExhaustedWithItsMessage() {
        Status s = failure("thrown");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
        assertEquals(refusal("scope:x").getMessage(), s.getDescription());
    }

    @Test
    void aRefusalPassedToOnErrorIsResourceExhaustedToo() {
        Status s = failure("on-error");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
        assertEquals(refusal("scope:x").getMessage(), s.getDescription());
    }

    @Test
    void theProcessShortOfMemoryIsResourceExhausted() {
        Status s = failure("short-of-memory");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
        assertTrue(s.getDescription().contains("heap reserve"), s.getDescription());
    }

    @Test
    void otherFailuresAreLeftAsTheyAre() {
        assertEquals(Status.Code.UNKNOWN, failure("bug").getCode());
        assertEquals("converted 5", new String(call("again"), StandardCharsets.US_ASCII), "the server carries on");
    }

    @Test
    void underTheAgentARealGrowthPastTheCallsBudgetIsRefused() {
        Assumptions.assumeTrue(HeapGuard.isActive(), "needs the agent: the build's under-the-agent execution runs it");
        Status s = failure("grow");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
        assertTrue(s.getDescription().contains("scope:" + SERVICE + "/Convert limit 4.0 MiB"), s.getDescription());
    }

    @Test
    void underTheAgentTheBudgetSpansEveryMessageOfAStream() throws Exception {
        Assumptions.assumeTrue(HeapGuard.isActive(), "needs the agent: the build's under-the-agent execution runs it");
        // 8 messages of 1 MiB, each handled in its own callback: together they break the 4 MiB budget
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            messages.add(new byte[(int) MiB]);
        }
        io.grpc.stub.StreamObserver<byte[]> requests;
        java.util.concurrent.CompletableFuture<Status> outcome = new java.util.concurrent.CompletableFuture<>();
        requests = io.grpc.stub.ClientCalls.asyncClientStreamingCall(
                channel.newCall(COLLECT, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)),
                new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        outcome.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        outcome.complete(Status.OK);
                    }
                });
        for (Iterator<byte[]> it = messages.iterator(); it.hasNext(); ) {
            requests.onNext(it.next());
        }
        requests.onCompleted();
        Status s = outcome.get(20, TimeUnit.SECONDS);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
        assertTrue(s.getDescription().contains("scope:" + SERVICE + "/Collect"), s.getDescription());
    }
}

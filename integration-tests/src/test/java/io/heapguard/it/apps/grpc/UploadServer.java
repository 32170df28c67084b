package io.heapguard.it.apps.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.heapguard.grpc.HeapGuardInterceptor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server (Netty, the shaded transport) with one client-streaming method that gathers an upload's chunks in
 * memory, as a naive service does, behind {@link HeapGuardInterceptor} with a budget of {@code args[0]} MiB per
 * call. No generated code: the messages are raw bytes. Prints {@code READY port=<port>}; halts after the
 * lifetime in {@code it.lifetime-seconds}.
 */
public final class UploadServer {
    public static final String SERVICE = "heapguard.it.Uploads";

    /** Request: chunks of the upload; response: {@code read <n> bytes}. */
    public static final MethodDescriptor<byte[], byte[]> UPLOAD = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Upload"))
            .setRequestMarshaller(Bytes.MARSHALLER)
            .setResponseMarshaller(Bytes.MARSHALLER)
            .build();

    private UploadServer() {
    }

    public static void main(String[] args) throws Exception {
        haltAfter(Long.getLong("it.lifetime-seconds", 120));
        long budgetBytes = Long.parseLong(args[0]) << 20;
        ServerServiceDefinition uploads = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UPLOAD, ServerCalls.asyncClientStreamingCall(UploadServer::gather))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(uploads, new HeapGuardInterceptor(budgetBytes)))
                .build()
                .start();
        System.out.println("READY port=" + server.getPort());
        System.out.flush();
        server.awaitTermination();
    }

    private static StreamObserver<byte[]> gather(StreamObserver<byte[]> response) {
        ByteArrayOutputStream upload = new ByteArrayOutputStream();
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] chunk) {
                upload.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(Throwable t) {
                // the client went away: nothing to answer
            }

            @Override
            public void onCompleted() {
                response.onNext(("read " + upload.size() + " bytes").getBytes(StandardCharsets.UTF_8));
                response.onCompleted();
            }
        };
    }

    private static void haltAfter(long seconds) {
        new Timer("lifetime", true).schedule(new TimerTask() {
            @Override
            public void run() {
                System.err.println("UploadServer: still running after " + seconds + " s, halting");
                Runtime.getRuntime().halt(3);
            }
        }, TimeUnit.SECONDS.toMillis(seconds));
    }

    /** Messages as they are on the wire. */
    public static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        static final Bytes MARSHALLER = new Bytes();

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
    }
}

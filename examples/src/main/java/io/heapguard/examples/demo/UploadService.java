package io.heapguard.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demonstration's service: a JDK {@link HttpServer} on 127.0.0.1 at a free port, 16 worker threads,
 * {@code POST /convert} ({@link ConvertHandler}) and {@code GET /stats}. Prints {@code LISTENING <port>}
 * once it accepts requests; runs until killed. {@link DemoMain} starts it; it can also be run by hand:
 * <pre>
 * java -Xmx256m -XX:+ExitOnOutOfMemoryError -cp examples/target/heapguard-demo.jar io.heapguard.examples.demo.UploadService
 * </pre>
 */
public final class UploadService {
    /** Option: exit when the process that started this one ends (the demo's driver), however it ends. */
    static final String EXIT_WITH_PARENT = "--exit-with-parent";

    private UploadService() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals(EXIT_WITH_PARENT)) {
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        ConvertHandler convert = new ConvertHandler();
        server.createContext("/convert", convert);
        server.createContext("/stats", new Stats(convert));
        ExecutorService workers = Executors.newFixedThreadPool(16, new ThreadFactory() {
            private final AtomicInteger n = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
                Thread t = new Thread(r, "upload-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            }
        });
        server.setExecutor(workers);
        server.start();
        System.out.println("LISTENING " + server.getAddress().getPort());
        System.out.flush();
    }

    /** {@code GET /stats}: what the service counted, as {@code key=value} lines. */
    static final class Stats implements HttpHandler {
        private final ConvertHandler convert;

        Stats(ConvertHandler convert) {
            this.convert = convert;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            Runtime rt = Runtime.getRuntime();
            String body = "converted=" + convert.converted.get() + "\nrefused=" + convert.refused.get()
                    + "\nfailed=" + convert.failed.get() + "\nheap-used=" + (rt.totalMemory() - rt.freeMemory())
                    + "\nheap-max=" + rt.maxMemory() + "\nuptime-ms=" + ManagementFactory.getRuntimeMXBean().getUptime()
                    + "\n";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            exchange.close();
        }
    }
}

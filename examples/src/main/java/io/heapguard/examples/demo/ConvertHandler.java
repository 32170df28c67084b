package io.heapguard.examples.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /convert}: buffers the request body, converts it, answers with a summary of the output.
 * Written as such handlers usually are: the whole body in a {@link ByteArrayOutputStream}, a copy for the
 * converter, a growing output buffer. Nothing here limits the size of an upload.
 *
 * <p>With the agent, the demo opens a heapguard scope around every call of {@link #handle} by
 * configuration alone ({@code scope.upload.entry=io.heapguard.examples.demo.ConvertHandler#handle},
 * {@code scope.upload.limit=64m}); this class does not name heapguard. Its only concession is the error
 * handling any service has: a failure is answered with a status, and a heapguard refusal (found by
 * class name, see {@link Refusals}) with 413, or 503 when the process as a whole is short of memory.
 */
public final class ConvertHandler implements HttpHandler {
    final AtomicLong converted = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "POST an upload to convert it\n");
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            exchange.getRequestBody().transferTo(body); // not closed here: a refused upload is drained below
            byte[] upload = body.toByteArray();
            body = null; // the converter works on the copy
            String summary = Conversion.describe(upload.length, Conversion.convert(upload));
            respond(exchange, 200, summary);
            converted.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            int status = Refusals.status(e);
            if (status == 500) {
                failed.incrementAndGet();
            } else {
                refused.incrementAndGet();
            }
            try {
                if (status == 503) {
                    exchange.getResponseHeaders().set("Retry-After", "5");
                }
                exchange.getResponseHeaders().set("Connection", "close");
                respond(exchange, status, Refusals.message(e) + "\n");
                drain(exchange.getRequestBody());
            } catch (IOException | RuntimeException clientGone) {
                // the client went away: nothing to answer
            }
        } finally {
            exchange.close();
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * After an early answer, reads (and drops) what the client is still sending, for at most 5 s, so the
     * answer is not lost to a connection reset: clients stop sending once they see it.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        long until = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < until && in.read(sink) >= 0) {
            // discard
        }
    }
}

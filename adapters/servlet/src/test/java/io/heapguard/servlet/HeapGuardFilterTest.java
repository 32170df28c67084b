package io.heapguard.servlet;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.QuotaScope;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HeapGuardFilter} in an embedded Jetty 12 (Servlet 6), over real HTTP. Without the agent a refusal
 * is produced by the servlet throwing a {@link QuotaExceededException} wrapped in other exceptions, as
 * library code would surface one; under the agent (the build's second execution, adapters/pom.xml) one test also
 * makes a real growth past the budget.
 */
class HeapGuardFilterTest {
    private static final long MiB = 1 << 20;

    private static Server server;
    private static URI base;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        // as from web.xml: the class and init parameters
        FilterHolder filter = new FilterHolder(HeapGuardFilter.class);
        filter.setInitParameter("limit", "4m");
        filter.setInitParameter("scope", "upload");
        filter.setInitParameter("retry-after", "7");
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new UploadServlet()), "/*");
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** What the application does: reads the body into memory; or fails in one of the ways libraries do. */
    static final class UploadServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            String path = req.getPathInfo() == null ? req.getServletPath() : req.getServletPath() + req.getPathInfo();
            switch (path) {
                case "/upload": {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    req.getInputStream().transferTo(body);
                    QuotaScope scope = (QuotaScope) req.getAttribute(HeapGuardFilter.SCOPE_ATTRIBUTE);
                    resp.setContentType("text/plain");
                    resp.getWriter().print("read " + body.size() + " in scope " + scope.name() + " of "
                            + scope.limitBytes() + " guarded=" + scope.isGuarded());
                    return;
                }
                case "/wrapped":
                    // e.g. a parser that reports I/O failures as IOException, inside a ServletException
                    throw new ServletException("conversion failed",
                            new IOException("reading the upload", refusal("scope:upload")));
                case "/suppressed": {
                    IllegalStateException cleanup = new IllegalStateException("cleanup failed");
                    cleanup.addSuppressed(new UncheckedIOException(new IOException(refusal("scope:upload"))));
                    throw cleanup;
                }
                case "/short-of-memory":
                    throw new RuntimeException(new ExecutionException(refusal("heap-reserve")));
                case "/writer-then-refused":
                    resp.getWriter().print("partial output, not committed yet");
                    throw new RuntimeException(refusal("scope:upload"));
                case "/committed-then-refused":
                    resp.getOutputStream().print("partial output");
                    resp.flushBuffer();
                    throw new RuntimeException(refusal("scope:upload"));
                case "/bug":
                    throw new IllegalStateException("an ordinary bug");
                default:
                    resp.sendError(404);
            }
        }
    }

    static QuotaExceededException refusal(String rule) {
        return new QuotaExceededException(rule, 32 * MiB, 4 * MiB, 2 * MiB,
                new StackTraceElement("com.example.Upload", "read", "Upload.java", 42));
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anOrdinaryRequestRunsInsideItsScope() throws Exception {
        HttpResponse<String> r = post("/upload", new byte[100_000]);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("read 100000 in scope upload of " + 4 * MiB + " guarded=" + HeapGuard.isActive(), r.body());
    }

    @Test
    void aWrappedRefusalIsAnswered413WithItsMessage() throws Exception {
        HttpResponse<String> r = post("/wrapped", new byte[10]);
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("heapguard refused 32.0 MiB at com.example.Upload.read(Upload.java:42): "
                + "scope:upload limit 4.0 MiB"), r.body());
        assertEquals(Optional.empty(), r.headers().firstValue("Retry-After"));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    }

    @Test
    void aRefusalAmongSuppressedExceptionsIsFoundToo() throws Exception {
        HttpResponse<String> r = post("/suppressed", new byte[10]);
        assertEquals(413, r.statusCode(), r.body());
    }

    @Test
    void theProcessShortOfMemoryIsAnswered503WithRetryAfter() throws Exception {
        HttpResponse<String> r = post("/short-of-memory", new byte[10]);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals(Optional.of("7"), r.headers().firstValue("Retry-After"));
        assertTrue(r.body().contains("heap reserve"), r.body());
    }

    @Test
    void whatTheServletWroteBeforeTheRefusalIsDiscarded() throws Exception {
        HttpResponse<String> r = post("/writer-then-refused", new byte[10]);
        assertEquals(413, r.statusCode(), r.body());
        assertFalse(r.body().contains("partial"), r.body());
    }

    @Test
    void aCommittedResponseIsAbortedNeverTurnedInto500() throws Exception {
        int status;
        try {
            status = post("/committed-then-refused", new byte[10]).statusCode();
        } catch (IOException aborted) {
            status = -1; // the container cut the response short: also acceptable
        }
        assertNotEquals(500, status);
        assertNotEquals(413, status, "the status was already sent");
    }

    @Test
    void otherFailuresAreLeftToTheContainer() throws Exception {
        HttpResponse<String> r = post("/bug", new byte[10]);
        assertEquals(500, r.statusCode());
    }

    @Test
    void underTheAgentARealGrowthPastTheBudgetIsRefused() throws Exception {
        Assumptions.assumeTrue(HeapGuard.isActive(), "needs the agent: the build's under-the-agent execution runs it");
        HttpResponse<String> r = post("/upload", new byte[(int) (16 * MiB)]);
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("scope:upload limit 4.0 MiB"), r.body());
        assertEquals(200, post("/upload", new byte[1000]).statusCode(), "the next request is served");
    }

    @Test
    void limitsAreParsedAsHeapguardWritesThem() {
        assertEquals(65536, HeapGuardFilter.parseSize("65536"));
        assertEquals(64 * 1024, HeapGuardFilter.parseSize("64k"));
        assertEquals(16 * MiB, HeapGuardFilter.parseSize(" 16M "));
        assertEquals(2L << 30, HeapGuardFilter.parseSize("2g"));
        for (String bad : new String[] {"", "m", "-1", "12q", "99999999999g"}) {
            try {
                HeapGuardFilter.parseSize(bad);
                throw new AssertionError("accepted '" + bad + "'");
            } catch (IllegalArgumentException expected) {
                // as it should
            }
        }
    }
}

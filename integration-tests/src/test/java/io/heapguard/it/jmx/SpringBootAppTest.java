package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import io.heapguard.it.GeneratedBody;
import io.heapguard.it.Jdk;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.ServerJvm;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spring Boot 3.5 application (integration-tests/spring-boot-app: Tomcat, Actuator, the Prometheus
 * registry, heapguard-spring-boot-starter and nothing else of heapguard's) as a user runs it,
 * {@code java -javaagent:heapguard-agent.jar -Xmx256m -jar app.jar}, driven over HTTP on 127.0.0.1:
 * oversized uploads through both endpoints are answered 413 with the refusal's message and the application
 * goes on serving; readiness goes DOWN under a storm of refusals and comes back UP; the Prometheus scrape
 * shows the figures a JMX client reads. Started without the agent, the same jar serves and shows nothing of
 * heapguard.
 */
class SpringBootAppTest {
    private static final Duration LIFETIME = Duration.ofSeconds(150);
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final long MiB = 1 << 20;
    /** Bigger than the application's heap: read whole, it could only end in an OutOfMemoryError. */
    private static final long BIGGER_THAN_THE_HEAP = 300 * MiB;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static List<String> jvmOptions(String... more) {
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        options.addAll(List.of(more));
        return options;
    }

    private static List<String> jar() {
        return List.of("-jar", Build.springBootAppJar().toString());
    }

    @OnEachJdk
    void underTheAgentUploadsAreGuardedAndTheAgentIsSeenThroughActuator(Jdk jdk) throws Exception {
        Path config = Build.workDir().resolve("spring-boot-app-heapguard-jdk" + jdk.feature() + ".properties");
        Files.writeString(config, "health.window=2s\n"
                + "rule.uploads.targets=InputStream.readAllBytes\n"
                + "rule.uploads.limit=64m\n");
        int jmxPort = LiveJvm.freePort();
        List<String> args = jvmOptions(
                "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false",
                "-javaagent:" + Build.agentJar() + "=config=" + config);
        args.addAll(jar());
        try (ServerJvm app = ServerJvm.start(jdk, "spring-boot-app-agent", LIFETIME, START, args);
             JMXConnector connector = LiveJvm.connect(jmxPort, PATIENCE, app::describe)) {
            Remote jmx = new Remote(connector.getMBeanServerConnection(), app::describe);
            jmx.awaitRegistered(Remote.AGENT, PATIENCE);
            Http http = new Http(app);

            assertEquals("read 100000 bytes\n", http.post("/upload/raw", GeneratedBody.zeros(100_000)).body());
            assertEquals("read 3 lines of small\n", http.post("/upload/json", json("small", 3)).body());

            HttpResponse<String> raw = http.post("/upload/raw", GeneratedBody.zeros(BIGGER_THAN_THE_HEAP), 413);
            assertTrue(raw.body().startsWith("heapguard refused "), raw.body());
            assertTrue(raw.body().contains("InputStream.readAllBytes at io.heapguard.it.boot.UploadApplication.raw("),
                    raw.body());
            assertTrue(raw.body().contains("scope:http-request limit 1.0 MiB"), raw.body());

            // Jackson binding @RequestBody: the refusal comes out of its list, wrapped twice before it leaves MVC.
            HttpResponse<String> bound = http.post("/upload/json", json("big", BIGGER_THAN_THE_HEAP / 4), 413);
            assertTrue(bound.body().startsWith("heapguard refused "), bound.body());
            assertTrue(bound.body().contains("for ArrayList at com.fasterxml.jackson"), bound.body());
            assertTrue(bound.body().contains("scope:http-request limit 1.0 MiB"), bound.body());

            assertEquals("read 5 bytes\n", http.post("/upload/raw", GeneratedBody.zeros(5)).body(), "still serving");
            assertEquals("read 1 lines of after\n", http.post("/upload/json", json("after", 1)).body());

            theScrapeShowsWhatJmxReads(http, jmx);
            readinessFollowsTheRefusalRate(http);

            // reload() replaces the rule: its meters follow at once
            Files.writeString(config, "health.window=2s\n"
                    + "rule.exports.targets=ByteArrayOutputStream\n"
                    + "rule.exports.max-buffer=32m\n");
            jmx.invoke(Remote.AGENT, "reload");
            Map<String, Double> reloaded = Prometheus.heapguardSamples(http.get("/actuator/prometheus", 200).body());
            assertEquals(32.0 * MiB, reloaded.get("heapguard_rule_max_buffer_bytes{rule=\"exports\"}"), reloaded::toString);
            assertFalse(reloaded.keySet().stream().anyMatch(k -> k.contains("rule=\"uploads\"")), reloaded::toString);
            assertTrue(app.isAlive(), app::describe);
        }
    }

    /** The meters against the MBeans, read on both sides while nothing changes between the two JMX reads. */
    private static void theScrapeShowsWhatJmxReads(Http http, Remote jmx) {
        ObjectName rule = Remote.rule("uploads");
        Map<String, Object[]> figures = new LinkedHashMap<>();
        figures.put("heapguard_denials_total", new Object[] {Remote.AGENT, "Denials"});
        figures.put("heapguard_forced_collections_total", new Object[] {Remote.AGENT, "ForcedCollections"});
        figures.put("heapguard_heap_reserve_bytes", new Object[] {Remote.AGENT, "HeapReserveBytes"});
        figures.put("heapguard_healthy", new Object[] {Remote.AGENT, "Healthy"});
        figures.put("heapguard_global_used_bytes", new Object[] {Remote.GLOBAL, "UsedBytes"});
        figures.put("heapguard_global_peak_bytes", new Object[] {Remote.GLOBAL, "PeakBytes"});
        figures.put("heapguard_global_limit_bytes", new Object[] {Remote.GLOBAL, "LimitBytes"});
        figures.put("heapguard_global_denials_total", new Object[] {Remote.GLOBAL, "Denials"});
        figures.put("heapguard_rule_used_bytes{rule=\"uploads\"}", new Object[] {rule, "UsedBytes"});
        figures.put("heapguard_rule_peak_bytes{rule=\"uploads\"}", new Object[] {rule, "PeakBytes"});
        figures.put("heapguard_rule_limit_bytes{rule=\"uploads\"}", new Object[] {rule, "LimitBytes"});
        figures.put("heapguard_rule_max_buffer_bytes{rule=\"uploads\"}", new Object[] {rule, "MaxBufferBytes"});
        figures.put("heapguard_rule_grants_total{rule=\"uploads\"}", new Object[] {rule, "Grants"});
        figures.put("heapguard_rule_denials_total{rule=\"uploads\"}", new Object[] {rule, "Denials"});

        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Map<String, Double> before;
        Map<String, Double> scraped;
        Map<String, Double> after;
        do {
            before = read(jmx, figures);
            scraped = Prometheus.heapguardSamples(http.get("/actuator/prometheus", 200).body());
            scraped.keySet().retainAll(figures.keySet());
            after = read(jmx, figures);
        } while (!before.equals(after) && System.nanoTime() < deadline);
        assertEquals(before, after, "the figures did not stay still for one scrape within " + PATIENCE.toSeconds() + " s");
        assertEquals(before, scraped, "the scrape and JMX");
        assertEquals(64.0 * MiB, scraped.get("heapguard_rule_limit_bytes{rule=\"uploads\"}"));
        assertTrue(scraped.get("heapguard_denials_total") >= 2, () -> "two refusals so far: " + http.app.describe());
        assertTrue(scraped.get("heapguard_rule_grants_total{rule=\"uploads\"}") > 0);
    }

    private static Map<String, Double> read(Remote jmx, Map<String, Object[]> figures) {
        Map<String, Double> values = new LinkedHashMap<>();
        figures.forEach((meter, source) -> {
            Object v = jmx.get((ObjectName) source[0], (String) source[1]);
            values.put(meter, v instanceof Boolean ? ((Boolean) v ? 1.0 : 0.0) : ((Number) v).doubleValue());
        });
        return values;
    }

    /**
     * Refusals faster than {@code health.max-refusal-rate} (1/s by default) over the 2 s window take readiness
     * DOWN (503); once they stop, the rate falls under the threshold and readiness is UP again.
     */
    private static void readinessFollowsTheRefusalRate(Http http) {
        assertEquals(200, http.get("/actuator/health/readiness", -1).statusCode(), "ready before the storm");
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        HttpResponse<String> readiness;
        int refused = 0;
        do {
            http.post("/upload/raw", GeneratedBody.zeros(2 * MiB), 413);
            refused++;
            readiness = http.get("/actuator/health/readiness", -1);
        } while (readiness.statusCode() != 503 && System.nanoTime() < deadline);
        assertEquals(503, readiness.statusCode(), "not DOWN after " + refused + " refusals: " + readiness.body());
        assertTrue(readiness.body().contains("\"heapguard\":{\"status\":\"DOWN\""), readiness.body());
        assertTrue(readiness.body().contains("above health.max-refusal-rate"), readiness.body());

        deadline = System.nanoTime() + PATIENCE.toNanos();
        do {
            LockSupport.parkNanos(50_000_000L); // a poll, bounded by the deadline
            readiness = http.get("/actuator/health/readiness", -1);
        } while (readiness.statusCode() != 200 && System.nanoTime() < deadline);
        assertEquals(200, readiness.statusCode(), "not UP again " + PATIENCE.toSeconds() + " s after the storm: "
                + readiness.body());
        assertTrue(readiness.body().contains("\"heapguard\":{\"status\":\"UP\""), readiness.body());
    }

    @OnEachJdk
    void withoutTheAgentTheSameApplicationServesAndShowsNothingOfHeapguard(Jdk jdk) {
        List<String> args = jvmOptions();
        args.addAll(jar());
        try (ServerJvm app = ServerJvm.start(jdk, "spring-boot-app-no-agent", LIFETIME, START, args)) {
            Http http = new Http(app);
            assertEquals("read 100000 bytes\n", http.post("/upload/raw", GeneratedBody.zeros(100_000)).body());
            assertEquals("read 2097152 bytes\n", http.post("/upload/raw", GeneratedBody.zeros(2 * MiB)).body(),
                    "no budget without the agent");
            assertEquals("read 3 lines of small\n", http.post("/upload/json", json("small", 3)).body());

            String scrape = http.get("/actuator/prometheus", 200).body();
            assertTrue(scrape.contains("jvm_memory_used_bytes"), "the registry works");
            assertEquals(Map.of(), Prometheus.heapguardSamples(scrape), scrape);
            assertFalse(scrape.contains("# HELP heapguard_"), scrape);
            String health = http.get("/actuator/health", 200).body();
            assertFalse(health.contains("\"heapguard\""), health); // the component, not a path that names the checkout
            assertEquals(200, http.get("/actuator/health/readiness", 200).statusCode(),
                    "a readiness group naming heapguard still starts and is UP");
        }
    }

    /** The agent supplies heapguard-core; a second copy in the application would never be loaded, only confuse. */
    @Test
    void theBootJarCarriesTheAdaptersButNotCore() throws IOException {
        List<String> libraries;
        try (ZipFile jar = new ZipFile(Build.springBootAppJar().toFile())) {
            libraries = jar.stream().map(ZipEntry::getName).filter(n -> n.startsWith("BOOT-INF/lib/heapguard-"))
                    .map(n -> n.substring("BOOT-INF/lib/".length()).replaceFirst("-[0-9][^-]*(-SNAPSHOT)?\\.jar$", ""))
                    .sorted().collect(Collectors.toList());
        }
        assertEquals(List.of("heapguard-micrometer", "heapguard-servlet", "heapguard-spring-boot-starter"), libraries);
    }

    /** {@code {"title":"<title>","lines":["x","x",...]}} with {@code lines} lines, generated as it is sent. */
    private static GeneratedBody json(String title, long lines) {
        return new GeneratedBody("{\"title\":\"" + title + "\",\"lines\":[\"x\"", ",\"x\"", lines - 1, "]}");
    }

    /** HTTP/1.1 to the application, each exchange bounded. */
    private final class Http {
        final ServerJvm app;
        private final URI base;

        Http(ServerJvm app) {
            this.app = app;
            this.base = URI.create("http://127.0.0.1:" + app.port());
        }

        HttpResponse<String> post(String path, GeneratedBody body) {
            return post(path, body, 200);
        }

        HttpResponse<String> post(String path, GeneratedBody body, int expectedStatus) {
            boolean json = path.endsWith("json");
            return send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", json ? "application/json" : "application/octet-stream")
                    .POST(body.publisher()), expectedStatus);
        }

        /** @param expectedStatus -1: any */
        HttpResponse<String> get(String path, int expectedStatus) {
            return send(HttpRequest.newBuilder(base.resolve(path)).GET(), expectedStatus);
        }

        private HttpResponse<String> send(HttpRequest.Builder request, int expectedStatus) {
            HttpRequest r = request.timeout(PATIENCE).build();
            HttpResponse<String> response;
            try {
                response = client.send(r, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(r + " failed\n" + app.describe(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (expectedStatus >= 0) {
                HttpResponse<String> got = response;
                assertEquals(expectedStatus, got.statusCode(), () -> r + ": " + got.body() + "\n" + app.describe());
            }
            return response;
        }
    }
}

package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.OnEachJdk;
import org.junit.jupiter.api.Timeout;

import javax.management.ObjectName;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #4: the real Prometheus JMX exporter agent ({@code io.prometheus.jmx:jmx_prometheus_javaagent}, from
 * Maven Central, version pinned in the root pom) runs beside heapguard with the rules docs/monitoring.md prints
 * ({@code src/test/resources/jmx/heapguard-exporter.yaml}) and serves heapguard's attributes over HTTP on
 * 127.0.0.1, each with the value a JMX client reads, and a live change in the next scrape.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PrometheusExporterTest {
    private static final ObjectName APP = Remote.rule("app");

    @OnEachJdk
    void theExporterServesHeapguardsAttributes(Jdk jdk) throws Exception {
        LiveJvm.Builder jvm = LiveJvm.on(jdk).heapguard(LiveControlTest.RULES).named("prometheus");
        int port = jvm.reservePort();
        jvm.javaagent(exporterJar(), "127.0.0.1:" + port + ":" + exporterConfig());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        try (LiveJvm app = jvm.start()) {
            Remote jmx = app.jmx();
            jmx.awaitRegistered(APP, LiveJvm.STEP);
            app.send("allocate x 3m a").assertGranted();
            app.send("allocate y 2m b").assertGranted();
            app.send("allocate z 9m c").assertRefusedBy("app");

            Map<String, Double> m = scrape(http, metrics, app);
            String rule = "{rule=\"app\"}";
            assertEquals(5.0 * MiB, m.get("heapguard_rule_used_bytes" + rule), () -> "scraped: " + m);
            assertEquals(5.0 * MiB, m.get("heapguard_rule_peak_bytes" + rule));
            assertEquals(8.0 * MiB, m.get("heapguard_rule_maxbuffer_bytes" + rule));
            assertEquals(32.0 * MiB, m.get("heapguard_rule_limit_bytes" + rule));
            assertEquals(2.0, m.get("heapguard_rule_grants_total" + rule));
            assertEquals(1.0, m.get("heapguard_rule_denials_total" + rule));
            assertEquals(1.0, m.get("heapguard_denials_total"));
            assertEquals(0.0, m.get("heapguard_global_denials_total"));
            assertEquals(-1.0, m.get("heapguard_global_limit_bytes"));
            assertEquals(1.0, m.get("heapguard_healthy"));

            // each as a JMX client reads it
            Map<String, ObjectName> bean = Map.of("rule", APP, "global", Remote.GLOBAL, "agent", Remote.AGENT);
            String[][] same = {
                    {"heapguard_rule_used_bytes" + rule, "rule", "UsedBytes"},
                    {"heapguard_rule_peak_bytes" + rule, "rule", "PeakBytes"},
                    {"heapguard_rule_grants_total" + rule, "rule", "Grants"},
                    {"heapguard_heapreserve_bytes", "agent", "HeapReserveBytes"},
                    {"heapguard_droppednotifications_total", "agent", "DroppedNotifications"},
                    {"heapguard_suppressedloglines_total", "agent", "SuppressedLogLines"},
                    {"heapguard_forcedcollections_total", "agent", "ForcedCollections"},
            };
            for (String[] s : same) {
                assertEquals((double) jmx.getLong(bean.get(s[1]), s[2]), m.get(s[0]), s[0] + " vs " + s[1] + " " + s[2]);
            }
            // the global figures include whatever else is charged (the JDK's own large buffers, if any): at least
            // the rule's
            assertTrue(m.get("heapguard_global_used_bytes") >= 5.0 * MiB, () -> "scraped: " + m);
            assertTrue(m.get("heapguard_global_peak_bytes") >= m.get("heapguard_global_used_bytes"));
            for (String present : new String[] {"heapguard_heapheadroom_bytes", "heapguard_refusalrate",
                    "heapguard_livecharges"}) {
                assertTrue(m.containsKey(present), () -> present + " missing from " + m);
            }

            // a live change shows in the next scrape
            jmx.set(APP, "MaxBufferBytes", MiB);
            jmx.set(Remote.GLOBAL, "LimitBytes", 64 * MiB);
            app.send("allocate w 2m").assertRefusedBy("app");
            Map<String, Double> after = scrape(http, metrics, app);
            assertEquals(1.0 * MiB, after.get("heapguard_rule_maxbuffer_bytes" + rule), () -> "scraped: " + after);
            assertEquals(64.0 * MiB, after.get("heapguard_global_limit_bytes"));
            assertEquals(2.0, after.get("heapguard_rule_denials_total" + rule));
            assertEquals(2.0, after.get("heapguard_denials_total"));
            assertEquals(0, app.quit());
        }
    }

    /** GET /metrics, bounded; the samples named heapguard_*, by name and labels. */
    private static Map<String, Double> scrape(HttpClient http, URI uri, LiveJvm app)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> uri + " answered " + response.statusCode() + "\n" + app.describe());
        Map<String, Double> samples = Prometheus.heapguardSamples(response.body());
        assertTrue(!samples.isEmpty(), () -> "no heapguard_ samples at " + uri + ":\n" + response.body());
        return samples;
    }

    /** The exporter agent jar, from the test class path (a test dependency of this module). */
    static Path exporterJar() throws ClassNotFoundException {
        return Build.jarOf(Class.forName("io.prometheus.jmx.JavaAgent", false,
                PrometheusExporterTest.class.getClassLoader()));
    }

    static Path exporterConfig() throws URISyntaxException {
        return Paths.get(PrometheusExporterTest.class.getResource("/jmx/heapguard-exporter.yaml").toURI());
    }
}

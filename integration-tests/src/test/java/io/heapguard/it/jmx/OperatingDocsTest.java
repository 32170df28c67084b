package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/monitoring.md prints the Prometheus exporter rules and the JFR settings file that
 * {@link PrometheusExporterTest} and {@link FlightRecorderTest} run with; they must stay the same text, so
 * that what the page prints is what was tested.
 */
class OperatingDocsTest {
    private static final String PAGE = "docs/monitoring.md";

    @Test
    void theMonitoringPagePrintsTheTestedExporterRulesAndSettingsFile() throws IOException, URISyntaxException {
        String doc = Files.readString(Build.root().resolve(PAGE));
        assertEquals(List.of(resource("/jmx/heapguard-exporter.yaml")), fenced(doc, "yaml"),
                PAGE + "'s exporter rules are src/test/resources/jmx/heapguard-exporter.yaml");
        assertEquals(List.of(resource("/jmx/heapguard.jfc")), fenced(doc, "xml"),
                PAGE + "'s JFR settings file is src/test/resources/jmx/heapguard.jfc");
    }

    /** The contents of the blocks fenced with {@code ```<language>}, each ending with a newline. */
    private static List<String> fenced(String markdown, String language) {
        List<String> blocks = new ArrayList<>();
        String open = "\n```" + language + "\n";
        int from = 0;
        int at;
        while ((at = markdown.indexOf(open, from)) >= 0) {
            int body = at + open.length();
            int close = markdown.indexOf("\n```", body - 1);
            blocks.add(markdown.substring(body, close + 1));
            from = close + 4;
        }
        return blocks;
    }

    private static String resource(String name) throws IOException, URISyntaxException {
        return Files.readString(Paths.get(OperatingDocsTest.class.getResource(name).toURI()));
    }
}

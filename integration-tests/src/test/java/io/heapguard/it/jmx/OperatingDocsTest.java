package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Operating heapguard" section prints the Prometheus exporter rules and the JFR settings file
 * that {@link PrometheusExporterTest} and {@link FlightRecorderTest} run with; they must stay the same text, so
 * that what the README prints is what was tested.
 */
class OperatingDocsTest {
    private static final String HEADING = "## Operating heapguard";

    @Test
    void theReadmePrintsTheTestedExporterRulesAndSettingsFile() throws IOException, URISyntaxException {
        String doc = operatingSection();
        assertEquals(List.of(resource("/jmx/heapguard-exporter.yaml")), fenced(doc, "yaml"),
                "the README's exporter rules are src/test/resources/jmx/heapguard-exporter.yaml");
        assertEquals(List.of(resource("/jmx/heapguard.jfc")), fenced(doc, "xml"),
                "the README's JFR settings file is src/test/resources/jmx/heapguard.jfc");
    }

    private static String operatingSection() throws IOException {
        Path readme = Build.root().resolve("README.md");
        String text = Files.readString(readme);
        int start = text.indexOf(HEADING + "\n");
        assertTrue(start >= 0, "no '" + HEADING + "' section in " + readme);
        int end = text.indexOf("\n## ", start + HEADING.length());
        return end < 0 ? text.substring(start) : text.substring(start, end);
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

package io.heapguard.it.jmx;

import org.junit.jupiter.api.Assertions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** heapguard's samples out of a Prometheus text exposition, whoever wrote it (the JMX exporter, Micrometer). */
final class Prometheus {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

    private Prometheus() {
    }

    /** The samples named {@code heapguard_*}, by name and labels as written ({@code name{label="value"}}). */
    static Map<String, Double> heapguardSamples(String exposition) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith("heapguard_")) {
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            if (!s.matches()) {
                Assertions.fail("not a sample line: " + line);
            }
            samples.put(s.group(1), Double.parseDouble(s.group(2)));
        }
        return samples;
    }
}

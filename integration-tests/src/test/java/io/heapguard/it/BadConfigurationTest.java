package io.heapguard.it;

import io.heapguard.it.apps.HelloApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An invalid configuration stops the JVM before the application's main: status 1, exactly one stderr line
 * {@code heapguard: ...} naming the key and the value, no stack trace.
 */
class BadConfigurationTest {

    /** One bad configuration: how to apply it, and the key and value the message must name. */
    record Case(String name, Consumer<Jvm> setup, String key, String value) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() throws IOException {
        Path dir = Files.createDirectories(Build.workDir().resolve("bad-config"));
        Path badFile = dir.resolve("bad-reserve.properties");
        Files.write(badFile, List.of("# a rules file with one bad size", "mode=enforce", "heap.reserve=lots"),
                StandardCharsets.UTF_8);
        Path negative = dir.resolve("negative-limit.properties");
        Files.write(negative, List.of("global.limit=-5m"), StandardCharsets.UTF_8);
        String missing = dir.resolve("no-such-dir").resolve("missing.properties").toString();

        List<Case> cases = List.of(
                new Case("unknown key in the agent argument",
                        j -> j.agent("no.such.key=42"), "no.such.key", "42"),
                new Case("bad size in the agent argument",
                        j -> j.agent("rule.big.targets=ByteArrayOutputStream,rule.big.max-buffer=16q"),
                        "rule.big.max-buffer", "16q"),
                new Case("bad mode as a system property",
                        j -> j.sysProp("heapguard.mode", "sometimes").agent(), "mode", "sometimes"),
                new Case("missing config file",
                        j -> j.agent("config=" + missing), "config", missing),
                new Case("bad mode in the environment",
                        j -> j.env("HEAPGUARD_MODE", "maybe").agent(), "mode", "maybe"),
                new Case("bad size in a rules file",
                        j -> j.sysProp("heapguard.config", badFile.toString()).agent(), "heap.reserve", "lots"),
                new Case("negative size in a rules file",
                        j -> j.agent("config=" + negative), "global.limit", "-5m"));
        return Stream.of(Jdk.values()).flatMap(jdk -> cases.stream().map(c -> Arguments.of(jdk, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void stopsTheJvmWithOneLine(Jdk jdk, Case c) {
        Jvm jvm = Jvm.on(jdk).named("bad-config");
        c.setup().accept(jvm);
        JvmResult r = jvm.run(HelloApp.class);

        assertFalse(r.stdout().contains("main-ran"), () -> "the application's main ran\n" + r.describe());
        r.assertExit(1);
        String[] lines = r.stderr().split("\\R", -1);
        int count = r.stderr().endsWith("\n") ? lines.length - 1 : lines.length;
        assertEquals(1, count, () -> "expected exactly one line on stderr\n" + r.describe());
        String line = lines[0];
        assertTrue(line.startsWith("heapguard: "), () -> "the line should start with 'heapguard: '\n" + r.describe());
        assertTrue(line.toLowerCase(Locale.ROOT).contains(c.key().toLowerCase(Locale.ROOT)),
                () -> "the line should name the key " + c.key() + "\n" + r.describe());
        assertTrue(line.contains(c.value()), () -> "the line should name the value " + c.value() + "\n" + r.describe());
        assertFalse(line.contains("Exception"), () -> "no exception names\n" + r.describe());
        r.assertNoStackTrace();
    }
}

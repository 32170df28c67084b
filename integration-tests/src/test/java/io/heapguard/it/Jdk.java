package io.heapguard.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The JDKs every integration test runs on. Each is found, in order, at the system property
 * {@code heapguard.jdk<N>.home} (set by the pom), the JDK running the tests if it is that release, the
 * environment variable {@code JAVA_HOME_<N>_X64} (GitHub Actions) and the usual install locations.
 * A JDK found nowhere is reported on stdout ("JDK 25 not found at ..., skipped") and the tests on it are
 * skipped through a JUnit assumption, so they show as skipped rather than passed. The property set to
 * {@code none} skips that JDK on purpose.
 */
public enum Jdk {
    JDK_17(17, "/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/temurin-17-jdk-amd64",
            "/usr/lib/jvm/java-17-openjdk", "/usr/lib/jvm/java-17"),
    JDK_25(25, "/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/java-25-openjdk-amd64",
            "/usr/lib/jvm/java-25-openjdk", "/usr/lib/jvm/java-25");

    private final int feature;
    private final List<String> wellKnown;
    private volatile Lookup lookup;

    Jdk(int feature, String... wellKnown) {
        this.feature = feature;
        this.wellKnown = List.of(wellKnown);
    }

    public int feature() {
        return feature;
    }

    /** The JDK's home, or empty when it is not installed where we look. */
    public Optional<Path> home() {
        return lookup().home;
    }

    /**
     * The JDK's home; when it is missing, prints "JDK N not found at ..., skipped" and aborts the calling
     * test as skipped.
     */
    public Path requireHome() {
        Lookup l = lookup();
        if (l.home.isEmpty()) {
            String msg = "JDK " + feature + " not found at " + String.join(", ", l.tried)
                    + " (set -Dheapguard.jdk" + feature + ".home=...), skipped";
            System.out.println(msg);
            Assumptions.assumeTrue(false, msg);
        }
        return l.home.get();
    }

    /** {@code <home>/bin/java}. */
    public Path java() {
        return javaIn(requireHome());
    }

    @Override
    public String toString() {
        return "JDK " + feature;
    }

    private Lookup lookup() {
        Lookup l = lookup;
        if (l == null) {
            l = locate(feature, candidates());
            lookup = l;
        }
        return l;
    }

    private List<String> candidates() {
        Set<String> c = new LinkedHashSet<>();
        String prop = System.getProperty("heapguard.jdk" + feature + ".home");
        if (prop != null && prop.trim().equals("none")) {
            return List.of("none"); // -Dheapguard.jdk25.home=none: do not run on this JDK
        }
        if (prop != null && !prop.isBlank() && !prop.startsWith("${")) {
            c.add(prop.trim());
        }
        if (Runtime.version().feature() == feature) {
            c.add(System.getProperty("java.home"));
        }
        String env = System.getenv("JAVA_HOME_" + feature + "_X64");
        if (env != null && !env.isBlank()) {
            c.add(env.trim());
        }
        c.addAll(wellKnown);
        return new ArrayList<>(c);
    }

    /** The result of looking for a JDK: the first candidate that is a JDK of that release, and what was tried. */
    public static final class Lookup {
        public final Optional<Path> home;
        public final List<String> tried;

        Lookup(Optional<Path> home, List<String> tried) {
            this.home = home;
            this.tried = List.copyOf(tried);
        }
    }

    /** Exposed for {@code HarnessTest}. */
    public static Lookup locate(int feature, List<String> candidates) {
        List<String> tried = new ArrayList<>();
        for (String c : candidates) {
            tried.add(c);
            if (c.equals("none")) {
                continue;
            }
            Path home = Paths.get(c).toAbsolutePath().normalize();
            if (Files.isExecutable(javaIn(home)) && releaseOf(home).map(r -> r == feature).orElse(true)) {
                return new Lookup(Optional.of(home), tried);
            }
        }
        return new Lookup(Optional.empty(), tried);
    }

    static Path javaIn(Path home) {
        Path java = home.resolve("bin").resolve("java");
        if (!Files.exists(java) && Files.exists(home.resolve("bin").resolve("java.exe"))) {
            java = home.resolve("bin").resolve("java.exe");
        }
        return java;
    }

    /** The feature release named by {@code <home>/release} ({@code JAVA_VERSION="25.0.3"}), if readable. */
    static Optional<Integer> releaseOf(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String v = p.getProperty("JAVA_VERSION");
        if (v == null) {
            return Optional.empty();
        }
        v = v.replace("\"", "").trim();
        if (v.startsWith("1.")) {
            v = v.substring(2);
        }
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? Optional.empty() : Optional.of(Integer.parseInt(v.substring(0, end)));
    }
}

package io.heapguard.it.reliability;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the reliability tests share: CI or soak lengths, GC logs, and the figures file that RELIABILITY.md is
 * written from ({@code target/it-runs/reliability-figures.md}, one line per run, appended).
 *
 * <p>The soak lengths run with {@code -Dheapguard.reliability.soak=true} (the {@code soak} profile sets it).
 */
final class Reliability {
    static final boolean SOAK = Boolean.getBoolean("heapguard.reliability.soak");
    private static final AtomicInteger GC_LOGS = new AtomicInteger();

    private Reliability() {
    }

    /** {@code ci} in the ordinary build, {@code soak} in the soak profile. */
    static long length(long ci, long soak) {
        return SOAK ? soak : ci;
    }

    static Duration timeout(long ciSeconds, long soakSeconds) {
        return Duration.ofSeconds(SOAK ? soakSeconds : ciSeconds);
    }

    /**
     * {@code -Xlog:gc:file=target/it-runs/gc-logs/<name>-jdk<N>-<run>.log}, a file of its own for every run, so
     * that a rerun cannot overwrite the log of the failure it follows; the failure's command line names it.
     */
    static String gcLog(String name, Jdk jdk) {
        try {
            Path dir = Files.createDirectories(Build.workDir().resolve("gc-logs"));
            String file = name + "-jdk" + jdk.feature() + "-" + GC_LOGS.incrementAndGet() + ".log";
            return "-Xlog:gc:file=" + dir.resolve(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A run named {@code name} on collector {@code gc} with {@code maxHeap} and {@code extraOptions}, its GC
     * logged under its name, bounded by {@code timeout}; the caller adds the agent or not.
     */
    static Jvm onCollector(Jdk jdk, String gc, String name, Duration timeout, String maxHeap, String... extraOptions) {
        List<String> defaults = new ArrayList<>(List.of(maxHeap, gcOption(gc), "-Xshare:auto"));
        defaults.addAll(List.of(extraOptions));
        return Jvm.on(jdk)
                .defaults(defaults.toArray(new String[0]))
                .options(gcLog(name, jdk))
                .timeout(timeout)
                .named(name);
    }

    /** The JVM options that select a collector, by the short name used in test names. */
    static String gcOption(String gc) {
        switch (gc) {
            case "G1":
                return "-XX:+UseG1GC";
            case "Parallel":
                return "-XX:+UseParallelGC";
            case "Serial":
                return "-XX:+UseSerialGC";
            case "Z":
                return "-XX:+UseZGC";
            default:
                throw new IllegalArgumentException(gc);
        }
    }

    /** Every JDK with every collector named, as {@code (Jdk, String)} arguments. */
    static Stream<Arguments> jdksAndCollectors(String... gcs) {
        List<Arguments> all = new ArrayList<>();
        for (Jdk jdk : Jdk.values()) {
            for (String gc : gcs) {
                all.add(Arguments.of(jdk, gc));
            }
        }
        return all.stream();
    }

    /** Appends {@code test | variant | JDK | key=value ...} to the figures file and prints it. */
    static void record(String test, String variant, Jdk jdk, JvmResult r, String... keys) {
        StringBuilder line = new StringBuilder();
        line.append("| ").append(test).append(" | ").append(variant).append(" | JDK ").append(jdk.feature()).append(" |");
        for (String k : keys) {
            line.append(' ').append(k).append('=').append(r.hasResult(k) ? r.result(k) : "(none)").append(';');
        }
        line.append(" elapsed=").append(r.elapsed().toMillis()).append("ms; ").append(SOAK ? "soak" : "ci")
                .append("; ").append(Instant.now()).append(" |\n");
        System.out.print("FIGURES " + line);
        try {
            Files.write(Build.workDir().resolve("reliability-figures.md"), line.toString().getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double doubleResult(JvmResult r, String key) {
        return Double.parseDouble(r.result(key).trim());
    }

    static void assertAtMost(JvmResult r, String key, double max) {
        double v = doubleResult(r, key);
        assertTrue(v <= max, () -> key + " = " + v + ", expected at most " + max + "\n" + r.describe());
    }

    static void assertAtLeast(JvmResult r, String key, double min) {
        double v = doubleResult(r, key);
        assertTrue(v >= min, () -> key + " = " + v + ", expected at least " + min + "\n" + r.describe());
    }
}

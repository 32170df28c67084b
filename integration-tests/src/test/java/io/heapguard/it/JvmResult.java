package io.heapguard.it;

import org.junit.jupiter.api.Assertions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a JVM did: exit status, stdout, stderr, and the {@code RESULT key=value} lines the test
 * applications print. Every assertion helper puts {@link #describe()} (command, status, both outputs) in
 * its failure message.
 */
public final class JvmResult {
    private final Jdk jdk;
    private final String command;
    private final Map<String, String> env;
    private final int exitCode;
    private final String stdout;
    private final String stderr;
    private final Duration elapsed;
    private final Path dir;
    private final Map<String, String> results = new LinkedHashMap<>();

    JvmResult(Jdk jdk, String command, Map<String, String> env, int exitCode, String stdout, String stderr,
              Duration elapsed, Path dir) {
        this.jdk = jdk;
        this.command = command;
        this.env = Map.copyOf(env);
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
        this.elapsed = elapsed;
        this.dir = dir;
        for (String line : stdout.split("\\R")) {
            if (line.startsWith("RESULT ")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    results.put(line.substring("RESULT ".length(), eq).trim(), line.substring(eq + 1));
                }
            }
        }
    }

    public int exitCode() {
        return exitCode;
    }

    public String stdout() {
        return stdout;
    }

    public String stderr() {
        return stderr;
    }

    public Duration elapsed() {
        return elapsed;
    }

    /** Non-empty lines of stderr. */
    public List<String> stderrLines() {
        return nonEmptyLines(stderr);
    }

    /** Non-empty lines of stdout. */
    public List<String> stdoutLines() {
        return nonEmptyLines(stdout);
    }

    private static List<String> nonEmptyLines(String s) {
        List<String> l = new ArrayList<>();
        for (String line : s.split("\\R")) {
            if (!line.isBlank()) {
                l.add(line);
            }
        }
        return l;
    }

    /** All {@code RESULT} values, in order printed (a repeated key keeps its last value). */
    public Map<String, String> results() {
        return Map.copyOf(results);
    }

    public boolean hasResult(String key) {
        return results.containsKey(key);
    }

    /** The value of {@code RESULT key=...}; fails when the application never printed it. */
    public String result(String key) {
        String v = results.get(key);
        if (v == null) {
            Assertions.fail("the application printed no 'RESULT " + key + "=...' line\n" + describe());
        }
        return v;
    }

    public long longResult(String key) {
        String v = result(key);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return Assertions.fail("RESULT " + key + "=" + v + " is not a number\n" + describe());
        }
    }

    /** Asserts {@code RESULT key=expected}. */
    public JvmResult assertResult(String key, Object expected) {
        Assertions.assertEquals(String.valueOf(expected), result(key), () -> "RESULT " + key + "\n" + describe());
        return this;
    }

    public JvmResult assertExit(int expected) {
        Assertions.assertEquals(expected, exitCode, () -> "exit status\n" + describe());
        return this;
    }

    /** Neither output shows an exception or a stack trace. */
    public JvmResult assertNoStackTrace() {
        for (String line : (stdout + "\n" + stderr).split("\\R")) {
            String t = line.trim();
            if (t.startsWith("at ") || t.startsWith("Caused by:") || t.matches("^Exception in thread .*")) {
                Assertions.fail("a stack trace was printed: '" + line + "'\n" + describe());
            }
        }
        return this;
    }

    public JvmResult assertStderrEmpty() {
        Assertions.assertEquals("", stderr, () -> "expected nothing on stderr\n" + describe());
        return this;
    }

    /** Command, exit status, time, environment set and both outputs (their ends, if long). */
    public String describe() {
        return "JVM (" + jdk + ", " + elapsed.toMillis() + " ms, output in " + dir + "):\n  " + command
                + (env.isEmpty() ? "" : "\n  environment: " + env)
                + "\nexit status: " + (exitCode == -1 ? "(killed)" : exitCode)
                + "\n--- stdout ---\n" + tail(stdout, 16_000)
                + "\n--- stderr ---\n" + tail(stderr, 16_000)
                + "\n--- end ---";
    }

    @Override
    public String toString() {
        return describe();
    }

    static String tail(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        return "(" + (s.length() - max) + " characters cut)\n" + s.substring(s.length() - max);
    }

    /** Lines of {@code text} that contain {@code needle}. */
    public static List<String> linesContaining(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).collect(Collectors.toList());
    }
}

package io.heapguard.it;

import org.junit.jupiter.api.Assertions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts one JVM of a given {@link Jdk}: {@code <jdk>/bin/java <defaults> <options> [-javaagent...] -cp ...
 * <main> <args>}, with stdout and stderr captured to files under {@code target/it-runs}, and waits for it
 * under a hard time bound (60 s by default). On timeout the JVM's threads are dumped (jcmd, itself
 * bounded), the process is killed and the test fails with the output so far. Nothing here sleeps.
 *
 * <pre>{@code
 * JvmResult r = Jvm.on(jdk).agent("rule.cap.targets=ByteArrayOutputStream,rule.cap.max-buffer=16m")
 *         .run(BaosCapApp.class);
 * }</pre>
 */
public final class Jvm {
    /** Small, quick JVMs: 2 cores run the whole module. */
    public static final List<String> DEFAULT_OPTIONS =
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Jdk jdk;
    private final Path java;
    private final List<String> defaults = new ArrayList<>(DEFAULT_OPTIONS);
    private final List<String> options = new ArrayList<>();
    private final List<String> agents = new ArrayList<>();
    private final List<String> classpath = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workingDir;
    private Duration timeout = DEFAULT_TIMEOUT;
    private String name;

    private Jvm(Jdk jdk) {
        this.jdk = jdk;
        this.java = jdk.java(); // skips the test when the JDK is missing
        classpath.add(Build.appsClasspath().toString());
    }

    /** A JVM of this JDK; skips the calling test (with a visible line) when the JDK is not installed. */
    public static Jvm on(Jdk jdk) {
        return new Jvm(jdk);
    }

    /** {@code -javaagent:agent/target/heapguard-agent.jar} with the built-in defaults. */
    public Jvm agent() {
        agents.add("-javaagent:" + Build.agentJar());
        return this;
    }

    /** {@code -javaagent:agent/target/heapguard-agent.jar=<args>}. */
    public Jvm agent(String args) {
        agents.add("-javaagent:" + Build.agentJar() + "=" + args);
        return this;
    }

    /** JVM options, after the defaults (so they win) and before {@code -javaagent}. */
    public Jvm options(String... opts) {
        options.addAll(Arrays.asList(opts));
        return this;
    }

    /** {@code -Dkey=value}. */
    public Jvm sysProp(String key, String value) {
        options.add("-D" + key + "=" + value);
        return this;
    }

    /** Replaces the default options (heap, GC, tiering); {@link #options} still apply. */
    public Jvm defaults(String... opts) {
        defaults.clear();
        defaults.addAll(Arrays.asList(opts));
        return this;
    }

    /** Adds to the class path, after {@code target/test-classes}. */
    public Jvm classpath(Path... entries) {
        for (Path p : entries) {
            classpath.add(p.toString());
        }
        return this;
    }

    /** Replaces the class path (entries as written, relative to the working directory if relative). */
    public Jvm classpathOnly(String... entries) {
        classpath.clear();
        classpath.addAll(Arrays.asList(entries));
        return this;
    }

    /** Sets an environment variable of the child. The child inherits ours minus HEAPGUARD_* and JVM option variables. */
    public Jvm env(String key, String value) {
        env.put(key, value);
        return this;
    }

    public Jvm workingDir(Path dir) {
        this.workingDir = dir;
        return this;
    }

    public Jvm timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Names the run's output directory (default: the main class). */
    public Jvm named(String name) {
        this.name = name;
        return this;
    }

    public JvmResult run(Class<?> mainClass, String... args) {
        return run(mainClass.getName(), args);
    }

    public JvmResult run(String mainClass, String... args) {
        List<String> cmd = commandStart();
        if (!classpath.isEmpty()) {
            cmd.add("-cp");
            cmd.add(String.join(File.pathSeparator, classpath));
        }
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return execute(cmd, name != null ? name : simpleName(mainClass));
    }

    /** {@code java <options> -jar <jar> <args>}: the class path set here is not used. */
    public JvmResult runJar(Path jar, String... args) {
        List<String> cmd = commandStart();
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(Arrays.asList(args));
        return execute(cmd, name != null ? name : jar.getFileName().toString());
    }

    private List<String> commandStart() {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(defaults);
        cmd.addAll(options);
        cmd.addAll(agents);
        return cmd;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private JvmResult execute(List<String> cmd, String runName) {
        Path dir;
        try {
            dir = Files.createDirectories(Build.workDir().resolve(
                    String.format("%03d-%s-jdk%d", RUNS.incrementAndGet(), runName.replaceAll("[^A-Za-z0-9_.-]", "_"),
                            jdk.feature())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        if (workingDir != null) {
            pb.directory(workingDir.toFile());
        }
        Map<String, String> childEnv = pb.environment();
        withoutInheritedOptions(childEnv);
        childEnv.putAll(env);

        String commandLine = render(cmd);
        writeFile(dir.resolve("command.txt"), commandLine + "\n" + (env.isEmpty() ? "" : "env " + env + "\n"));

        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + commandLine, e);
        }
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + commandLine, e);
        }
        if (!finished) {
            String dump = threadDump(p.pid());
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            JvmResult partial = new JvmResult(jdk, commandLine, env, -1, read(out), read(err), elapsed(start), dir);
            writeFile(dir.resolve("thread-dump.txt"), dump);
            Assertions.fail("timed out after " + timeout.toSeconds() + " s; killed. Output so far:\n"
                    + partial.describe() + "\n--- thread dump (jcmd Thread.print) ---\n" + JvmResult.tail(dump, 12_000));
        }
        return new JvmResult(jdk, commandLine, env, p.exitValue(), read(out), read(err), elapsed(start), dir);
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** A thread dump of a hung JVM, bounded in time itself. */
    private String threadDump(long pid) {
        try {
            return jcmd(java, pid, Duration.ofSeconds(10), "Thread.print");
        } catch (IOException e) {
            return "(jcmd failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /**
     * Runs the jcmd beside {@code java} against {@code pid}, ended if it is still running after {@code bound};
     * its output.
     *
     * @throws IOException when there is no such jcmd, it did not finish in time or it failed (the message holds
     *                     its output)
     */
    public static String jcmd(Path java, long pid, Duration bound, String... command)
            throws IOException, InterruptedException {
        Path jcmd = java.getParent().resolve("jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IOException("no jcmd at " + jcmd);
        }
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        Path f = Files.createTempFile(Build.workDir(), "jcmd", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(f.toFile());
            withoutInheritedOptions(pb.environment());
            Process p = pb.start();
            if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(render(line) + " still running after " + bound.toSeconds() + " s: " + read(f));
            }
            String output = read(f);
            if (p.exitValue() != 0) {
                throw new IOException(render(line) + " exited with " + p.exitValue() + ": " + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static File nullFile() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    static String render(List<String> cmd) {
        StringBuilder b = new StringBuilder();
        for (String s : cmd) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(s.isEmpty() || s.matches(".*[\\s'\"*?$;&|<>()].*") ? "'" + s.replace("'", "'\\''") + "'" : s);
        }
        return b.toString();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(could not read " + p + ": " + e + ")";
        }
    }

    /** Writes one of a run's files (its command line, its output), failing the test on an I/O error. */
    public static void writeFile(Path p, String s) {
        try {
            Files.write(p, s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Leaves out of a child's environment what would configure it behind the test's back: heapguard's own
     * variables and the JVM's option variables.
     */
    static void withoutInheritedOptions(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("HEAPGUARD_") || k.equals("JAVA_TOOL_OPTIONS")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
    }

    /**
     * Starts a JVM that a test talks to while it runs (its stdin and stdout left to the caller, stderr to
     * {@code dir/stderr.txt}, the command line to {@code dir/command.txt}); the caller bounds its life.
     */
    public static Process startLive(List<String> command, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile());
        withoutInheritedOptions(pb.environment());
        writeFile(dir.resolve("command.txt"), String.join(" ", command) + "\n");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
    }
}

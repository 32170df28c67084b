package io.heapguard.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server JVM the test talks to over the network: started with {@code <jdk>/bin/java <args>}, ready once it
 * prints {@code READY port=<port>} (waited for within a bound), killed by {@link #close()}. Its output goes to
 * {@code target/it-runs/NNN-<name>-jdkN/}. The server must end itself after the lifetime the test passes it
 * (see {@link #LIFETIME_PROPERTY}), so that a test JVM killed mid-way leaves nothing running for long.
 */
public final class ServerJvm implements AutoCloseable {
    /** The system property a server reads for its lifetime in seconds, after which it halts whatever happens
     * (not under {@code heapguard.}: the agent reads every system property there as its configuration). */
    public static final String LIFETIME_PROPERTY = "it.lifetime-seconds";
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String READY = "READY port=";

    private final Jdk jdk;
    private final Process process;
    private final List<String> command;
    private final Path dir;
    private final StringBuffer stdout = new StringBuffer();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    private ServerJvm(Jdk jdk, List<String> command, Path dir) {
        this.jdk = jdk;
        this.command = command;
        this.dir = dir;
        process = Jvm.startLive(command, dir);
        Thread reader = new Thread(this::pump, "stdout of " + dir.getFileName());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code java <lifetime> <args>} and waits up to {@code startWithin} for its {@code READY} line; fails
     * the test, with the output, if it does not come.
     */
    public static ServerJvm start(Jdk jdk, String name, Duration lifetime, Duration startWithin, List<String> args) {
        Path java = jdk.java(); // skips the test when the JDK is missing
        Path dir;
        try {
            dir = Files.createDirectories(Build.workDir().resolve(String.format("%03d-%s-jdk%d",
                    RUNS.incrementAndGet(), name, jdk.feature())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.add("-D" + LIFETIME_PROPERTY + "=" + lifetime.toSeconds());
        cmd.addAll(args);
        ServerJvm server = new ServerJvm(jdk, List.copyOf(cmd), dir);
        try {
            server.port.get(startWithin.toNanos(), TimeUnit.NANOSECONDS);
            return server;
        } catch (TimeoutException e) {
            server.close();
            throw new AssertionError("no READY within " + startWithin.toSeconds() + " s\n" + server.describe());
        } catch (ExecutionException e) {
            server.close();
            throw new AssertionError("the server ended before READY\n" + server.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new AssertionError("interrupted", e);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stdout.append(line).append('\n');
                if (line.startsWith(READY)) {
                    port.complete(Integer.parseInt(line.substring(READY.length()).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            stdout.append("(reading stdout failed: ").append(e).append(")\n");
        } finally {
            port.completeExceptionally(new IllegalStateException("end of output"));
        }
    }

    /** The port the server said it listens on. */
    public int port() {
        return port.join();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String stdout() {
        return stdout.toString();
    }

    public String stderr() {
        try {
            Path f = dir.resolve("stderr.txt");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "(could not read stderr: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Jvm.writeFile(dir.resolve("stdout.txt"), stdout.toString());
    }

    /** The command, and the tails of stdout and stderr, for a failure message. */
    public String describe() {
        return "server JVM (" + jdk + ", output in " + dir + "):\n  " + String.join(" ", command)
                + "\n--- stdout ---\n" + tail(stdout.toString()) + "\n--- stderr ---\n" + tail(stderr()) + "\n--- end ---";
    }

    private static String tail(String s) {
        return s.length() <= 8_000 ? s : "(" + (s.length() - 8_000) + " characters cut)\n" + s.substring(s.length() - 8_000);
    }

}

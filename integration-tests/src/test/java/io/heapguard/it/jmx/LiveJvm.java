package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.apps.jmx.JmxApp;
import org.junit.jupiter.api.Assertions;

import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link JmxApp} JVM the test drives step by step: commands on its stdin, {@code RESULT} lines back, and
 * (unless switched off) remote JMX on 127.0.0.1 at a free port, the way an operator connects. Every wait is
 * bounded: the app's start and each command ({@link #STEP}), the JMX connection and the registration of
 * heapguard's MBeans; the app itself halts after {@link #LIFETIME} whatever happens here, and {@link #close()}
 * kills it if it has not quit.
 */
final class LiveJvm implements AutoCloseable {
    static final Duration STEP = Duration.ofSeconds(30);
    static final Duration LIFETIME = Duration.ofSeconds(150);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Jdk jdk;
    private final Process process;
    private final List<String> command;
    private final Path dir;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stdout = new StringBuffer();
    private final int jmxPort;
    private JMXConnector connector;
    private Remote remote;

    private LiveJvm(Jdk jdk, List<String> command, Path dir, int jmxPort) {
        this.jdk = jdk;
        this.command = command;
        this.dir = dir;
        this.jmxPort = jmxPort;
        process = Jvm.startLive(command, dir);
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::pump, "stdout of " + dir.getFileName());
        reader.setDaemon(true);
        reader.start();
    }

    static Builder on(Jdk jdk) {
        return new Builder(jdk);
    }

    static final class Builder {
        private final Jdk jdk;
        private final List<String> options = new ArrayList<>();
        private final List<String> agents = new ArrayList<>();
        private boolean jmx = true;
        private Class<?> main = JmxApp.class;
        private String name = "jmx";
        private Path dir;
        private final java.util.Set<Integer> reserved = new java.util.HashSet<>();

        private Builder(Jdk jdk) {
            this.jdk = jdk;
        }

        /** {@code -javaagent:heapguard-agent.jar=<args>}. */
        Builder heapguard(String args) {
            agents.add("-javaagent:" + Build.agentJar() + (args.isEmpty() ? "" : "=" + args));
            return this;
        }

        /** Another {@code -javaagent}, after heapguard's. */
        Builder javaagent(Path jar, String args) {
            agents.add("-javaagent:" + jar + "=" + args);
            return this;
        }

        Builder options(String... opts) {
            options.addAll(Arrays.asList(opts));
            return this;
        }

        /** A free loopback port for something else in the JVM (an exporter); the JMX port will differ. */
        int reservePort() {
            int port;
            do {
                port = freePort();
            } while (!reserved.add(port));
            return port;
        }

        /** Another application than {@link JmxApp}, speaking its protocol (READY, RESULT lines, DONE, quit). */
        Builder app(Class<?> main) {
            this.main = main;
            return this;
        }

        /** No remote JMX connector in the JVM. */
        Builder noRemoteJmx() {
            jmx = false;
            return this;
        }

        Builder named(String name) {
            this.name = name;
            return this;
        }

        /**
         * The directory for this run's output and files ({@code target/it-runs/jmx-NNN-<name>-jdkN}), created on
         * first use; name the run first.
         */
        Path dir() {
            if (dir == null) {
                jdk.java(); // skips the test when the JDK is missing
                try {
                    dir = Files.createDirectories(Build.workDir().resolve(String.format("jmx-%03d-%s-jdk%d",
                            RUNS.incrementAndGet(), name, jdk.feature())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return dir;
        }

        /**
         * Starts the JVM and waits (bounded) for the app's {@code READY}. Should another process take the JMX
         * port between our choosing it and the JVM binding it, starts once more on another port.
         */
        LiveJvm start() {
            try {
                return startOnce();
            } catch (PortTaken e) {
                return startOnce();
            }
        }

        private LiveJvm startOnce() {
            Path java = jdk.java(); // skips the test when the JDK is missing
            Path dir = dir();
            int port = -1;
            while (jmx && (port < 0 || reserved.contains(port))) {
                port = freePort();
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(java.toString());
            cmd.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
            if (jmx) {
                cmd.addAll(List.of(
                        "-Dcom.sun.management.jmxremote.port=" + port,
                        "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                        "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                        "-Djava.rmi.server.hostname=127.0.0.1",
                        "-Dcom.sun.management.jmxremote.authenticate=false",
                        "-Dcom.sun.management.jmxremote.ssl=false"));
            }
            cmd.addAll(options);
            cmd.addAll(agents);
            cmd.add("-cp");
            cmd.add(Build.appsClasspath().toString());
            cmd.add(main.getName());
            cmd.add(Long.toString(LIFETIME.toSeconds()));
            LiveJvm jvm = new LiveJvm(jdk, List.copyOf(cmd), dir, port);
            try {
                jvm.awaitReady();
                return jvm;
            } catch (AssertionError | RuntimeException e) {
                jvm.close();
                if (jmx && jvm.stderr().contains("Port already in use: " + port)) {
                    throw new PortTaken();
                }
                throw e;
            }
        }
    }

    private static final class PortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTaken() {
            super(null, null, false, false);
        }
    }

    /** A port nobody listens on now, on the loopback interface. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stdout.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException e) {
            stdout.append("(reading stdout failed: ").append(e).append(")\n");
        } finally {
            lines.add("\u0000EOF");
        }
    }

    private String nextLine(long deadline, String waitingFor) {
        try {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                Assertions.fail("no answer within " + STEP.toSeconds() + " s waiting for " + waitingFor + "\n"
                        + describe());
            }
            if (line.equals("\u0000EOF")) {
                lines.add(line);
                Assertions.fail("the JVM ended its output waiting for " + waitingFor + "\n" + describe());
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!nextLine(deadline, "READY").startsWith("READY")) {
            // output before READY (e.g. a warning on stdout) is kept in the log only
        }
    }

    /** Sends one command and returns its {@code RESULT}s; fails on an {@code error} result. */
    Reply send(String cmd) {
        Reply r = sendAllowingError(cmd);
        if (r.has("error")) {
            Assertions.fail("'" + cmd + "' failed in the app: " + r.get("error") + "\n" + describe());
        }
        return r;
    }

    Reply sendAllowingError(String cmd) {
        try {
            stdin.write(cmd + "\n");
            stdin.flush();
        } catch (IOException e) {
            Assertions.fail("could not send '" + cmd + "': " + e + "\n" + describe());
        }
        long deadline = System.nanoTime() + STEP.toNanos();
        Map<String, String> results = new LinkedHashMap<>();
        String line;
        while (!(line = nextLine(deadline, "the answer to '" + cmd + "'")).equals("DONE")) {
            if (line.startsWith("RESULT ")) {
                int eq = line.indexOf('=');
                results.put(line.substring("RESULT ".length(), eq), line.substring(eq + 1));
            }
        }
        return new Reply(cmd, results);
    }

    /** The JMX connection, opened on first use once heapguard's MBeans are registered. */
    Remote jmx() {
        if (remote == null) {
            Assertions.assertTrue(jmxPort > 0, "this JVM has no remote JMX");
            connector = connect(jmxPort, STEP, this::describe);
            try {
                remote = new Remote(connector.getMBeanServerConnection(), this::describe);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            remote.awaitRegistered(Remote.AGENT, STEP);
        }
        return remote;
    }

    /**
     * Connects with {@link JMXConnectorFactory}, retrying while the port refuses until {@code within} has
     * passed; each attempt is bounded too, so a server that accepts and never answers cannot hang the test.
     */
    static JMXConnector connect(int port, Duration within, java.util.function.Supplier<String> context) {
        JMXServiceURL url;
        try {
            url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + within.toNanos();
        Exception last = null;
        long backoffMillis = 10;
        while (System.nanoTime() < deadline) {
            CompletableFuture<JMXConnector> attempt = CompletableFuture.supplyAsync(() -> {
                try {
                    return JMXConnectorFactory.connect(url, Map.of());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                return attempt.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                last = (Exception) (e.getCause() instanceof UncheckedIOException ? e.getCause().getCause() : e);
            } catch (TimeoutException e) {
                attempt.cancel(true);
                last = e;
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            // The connector is not listening yet: retry after a short, growing pause, until the deadline.
            try {
                TimeUnit.MILLISECONDS.sleep(Math.min(backoffMillis, Math.max(0,
                        TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            backoffMillis = Math.min(200, backoffMillis * 2);
        }
        throw new AssertionError("no JMX connection to 127.0.0.1:" + port + " within " + within.toSeconds()
                + " s: " + last + "\n" + context.get(), last);
    }

    Path dir() {
        return dir;
    }

    int jmxPort() {
        return jmxPort;
    }

    long pid() {
        return process.pid();
    }

    String stderr() {
        try {
            Path f = dir.resolve("stderr.txt");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return "(could not read stderr: " + e + ")";
        }
    }

    /** Sends {@code quit} and waits (bounded) for the exit status. */
    int quit() {
        closeConnector();
        try {
            stdin.write("quit\n");
            stdin.flush();
        } catch (IOException e) {
            // already gone: the exit status tells
        }
        try {
            if (!process.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
                Assertions.fail("did not exit within " + STEP.toSeconds() + " s of 'quit'\n" + describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    private void closeConnector() {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException | RuntimeException e) {
                // the JVM may be gone already
            }
            connector = null;
            remote = null;
        }
    }

    @Override
    public void close() {
        closeConnector();
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

    String describe() {
        String out = stdout.toString();
        String err = stderr();
        return "JVM (" + jdk + ", output in " + dir + "):\n  " + String.join(" ", command)
                + "\n--- stdout ---\n" + tail(out) + "\n--- stderr ---\n" + tail(err) + "\n--- end ---";
    }

    private static String tail(String s) {
        return s.length() <= 12_000 ? s : "(" + (s.length() - 12_000) + " characters cut)\n"
                + s.substring(s.length() - 12_000);
    }


    /** The {@code RESULT}s of one command. */
    final class Reply {
        private final String command;
        private final Map<String, String> results;

        Reply(String command, Map<String, String> results) {
            this.command = command;
            this.results = results;
        }

        boolean has(String key) {
            return results.containsKey(key);
        }

        String get(String key) {
            String v = results.get(key);
            if (v == null) {
                Assertions.fail("'" + command + "' answered no " + key + ": " + results + "\n" + describe());
            }
            return v;
        }

        long getLong(String key) {
            return Long.parseLong(get(key));
        }

        boolean granted() {
            return Boolean.parseBoolean(get("granted"));
        }

        Reply assertGranted() {
            Assertions.assertTrue(granted(), () -> "'" + command + "' should be granted: " + results + "\n" + describe());
            return this;
        }

        Reply assertRefusedBy(String rule) {
            Assertions.assertFalse(granted(), () -> "'" + command + "' should be refused: " + results + "\n" + describe());
            Assertions.assertEquals(rule, get("r.rule"), () -> "refused by which rule? " + results);
            return this;
        }

        Reply assertEquals(String key, Object expected) {
            Assertions.assertEquals(String.valueOf(expected), get(key),
                    () -> "'" + command + "' " + key + ": " + results + "\n" + describe());
            return this;
        }

        @Override
        public String toString() {
            return command + " -> " + results;
        }
    }
}

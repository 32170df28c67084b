package io.heapguard.examples.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** One service JVM: started, its output kept in a log file, its exit noted, stopped within bounds. */
final class Service {
    final Process process;
    final int port;
    private final List<String> output;
    private volatile long exitNanos;

    private Service(Process process, int port, List<String> output) {
        this.process = process;
        this.port = port;
        this.output = output;
        process.onExit().thenRun(() -> exitNanos = System.nanoTime());
    }

    /** Starts {@code command}; waits (at most 30 s) for its {@code LISTENING <port>} line. */
    static Service start(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-service")); // on Ctrl-C
        List<String> lines = new ArrayList<>();
        int[] port = {-1};
        CountDownLatch listening = new CountDownLatch(1);
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        out.write(String.join(" ", command) + "\n\n");
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer w = out) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    w.write(line + "\n");
                    w.flush();
                    if (port[0] < 0 && line.startsWith("LISTENING ")) {
                        port[0] = Integer.parseInt(line.substring("LISTENING ".length()).trim());
                        listening.countDown();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone
            } finally {
                listening.countDown();
            }
        }, "service-output");
        pump.setDaemon(true);
        pump.start();
        if (!listening.await(30, TimeUnit.SECONDS) || port[0] < 0) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IOException("the service did not start listening within 30 s; its output:\n"
                    + String.join("\n", snapshot(lines)));
        }
        return new Service(p, port[0], lines);
    }

    /** System.nanoTime() of the process's exit, or 0 while it runs. */
    long exitNanos() {
        return exitNanos;
    }

    List<String> output() {
        return snapshot(output);
    }

    private static List<String> snapshot(List<String> lines) {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** Ends the process: politely, then forcibly; bounded. */
    void stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}

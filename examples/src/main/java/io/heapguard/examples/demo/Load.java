package io.heapguard.examples.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load of one run. Ordinary clients ({@link HttpClient}, HTTP/1.1) each send a 1-2 MiB upload every
 * {@code period} on a fixed schedule, whether or not the service still answers, and check each answer
 * against the conversion computed here; latency runs from the scheduled send time, so a stalled service
 * shows in it. Oversized uploads are streamed over a plain socket with a {@code Content-Length}, as a
 * browser or {@code curl} sends a file, and stop being sent once the service answers. Every request and
 * every wait is bounded in time.
 */
final class Load {
    static final int MiB = 1 << 20;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private Load() {
    }

    /** What to send, and when; the same for both runs. */
    static final class Plan {
        final int seconds;
        final int clients;
        final int periodMillis = 100;
        final Body[] bodies;
        final long[] oversizedBytes = {300L * MiB, 450L * MiB, 600L * MiB};
        /** When each oversized upload starts, as a share of the run. */
        final double[] oversizedAt = {0.2, 0.45, 0.7};

        private Plan(int seconds, int clients, Body[] bodies) {
            this.seconds = seconds;
            this.clients = clients;
            this.bodies = bodies;
        }

        static Plan standard(int seconds, int clients) throws IOException {
            Random random = new Random(42);
            Body[] bodies = new Body[8];
            for (int i = 0; i < bodies.length; i++) {
                bodies[i] = Body.of(MiB + random.nextInt(MiB + 1), random);
            }
            return new Plan(seconds, clients, bodies);
        }

        String describe() {
            StringBuilder b = new StringBuilder();
            b.append(seconds).append(" s; ").append(clients).append(" clients each sending an ordinary 1-2 MiB upload every ")
                    .append(periodMillis).append(" ms; oversized uploads of ");
            for (int i = 0; i < oversizedBytes.length; i++) {
                b.append(i == 0 ? "" : i == oversizedBytes.length - 1 ? " and " : ", ").append(oversizedBytes[i] / MiB)
                        .append(" MiB at ").append(String.format(Locale.ROOT, "%.0f", oversizedAt[i] * seconds)).append(" s");
            }
            return b.toString();
        }
    }

    /** An ordinary upload and the answer a correct conversion gives. */
    static final class Body {
        final byte[] bytes;
        final String expected;

        private Body(byte[] bytes, String expected) {
            this.bytes = bytes;
            this.expected = expected;
        }

        /** Text-like content (a CSV export, say) of {@code size} bytes. */
        static Body of(int size, Random random) throws IOException {
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                int r = random.nextInt(40);
                b[i] = (byte) (r == 0 ? '\n' : r == 1 ? ',' : 'a' + r % 26);
            }
            return new Body(b, Conversion.describe(size, Conversion.convert(b)));
        }
    }

    /** How an oversized upload ended. */
    static final class Oversized {
        enum Kind { REFUSED, SERVED, FAILED, NOT_SENT }

        final Kind kind;
        final int status;
        final long sentBytes;
        final String detail;

        Oversized(Kind kind, int status, long sentBytes, String detail) {
            this.kind = kind;
            this.status = status;
            this.sentBytes = sentBytes;
            this.detail = detail;
        }
    }

    /** What one run measured. */
    static final class Results {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        final Map<String, AtomicInteger> lost = Collections.synchronizedMap(new TreeMap<>());
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        final List<Oversized> oversized = Collections.synchronizedList(new ArrayList<>());

        void lose(String reason) {
            lost.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
        }

        int lostTotal() {
            int n = 0;
            synchronized (lost) {
                for (AtomicInteger c : lost.values()) {
                    n += c.get();
                }
            }
            return n;
        }

        /** The {@code p}-th percentile of served requests' latency in nanoseconds, or -1 if none. */
        long percentile(double p) {
            List<Long> l;
            synchronized (latencies) {
                l = new ArrayList<>(latencies);
            }
            if (l.isEmpty()) {
                return -1;
            }
            Collections.sort(l);
            int i = (int) Math.ceil(p / 100.0 * l.size()) - 1;
            return l.get(Math.max(0, Math.min(l.size() - 1, i)));
        }

        int oversized(Oversized.Kind kind, int status) {
            int n = 0;
            synchronized (oversized) {
                for (Oversized o : oversized) {
                    if (o.kind == kind && (status == 0 || o.status == status)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpRequest upload(int port, Body body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/convert")).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes)).build();
    }

    /** A few sequential requests before measuring, so that both runs start with a warmed-up JIT. */
    static void warmUp(HttpClient client, int port, Plan plan) throws IOException, InterruptedException {
        for (int i = 0; i < 24; i++) {
            Body b = plan.bodies[i % plan.bodies.length];
            HttpResponse<String> r = client.send(upload(port, b), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().equals(b.expected)) {
                throw new IOException("warm-up request answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    /** Whether the service answers {@code GET /stats} within 5 s. */
    static boolean answers(HttpClient client, int port) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs the plan against the service on {@code port}; returns once every request has ended. */
    static Results run(Plan plan, int port) throws InterruptedException {
        Results results = new Results();
        long start = System.nanoTime();
        long end = start + plan.seconds * 1_000_000_000L;
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "watchdog");
            t.setDaemon(true);
            return t;
        });
        List<Thread> threads = new ArrayList<>();
        long period = plan.periodMillis * 1_000_000L;
        for (int c = 0; c < plan.clients; c++) {
            int index = c;
            HttpClient own = client(); // one connection pool per client, as separate users have
            threads.add(thread("client-" + c, () -> ordinary(plan, index, start + index * period / plan.clients, end,
                    period, own, port, results)));
        }
        for (int i = 0; i < plan.oversizedBytes.length; i++) {
            long at = start + (long) (plan.oversizedAt[i] * plan.seconds * 1e9);
            long size = plan.oversizedBytes[i];
            threads.add(thread("oversized-" + i, () -> {
                sleepUntil(at);
                results.oversized.add(oversized(port, size, at + 30_000_000_000L, watchdog));
            }));
        }
        for (Thread t : threads) {
            t.start();
        }
        long joinUntil = end + 45_000_000_000L; // every request is bounded well within this
        for (Thread t : threads) {
            t.join(Math.max(1, (joinUntil - System.nanoTime()) / 1_000_000));
        }
        watchdog.shutdownNow();
        return results;
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void ordinary(Plan plan, int clientIndex, long first, long end, long period, HttpClient client,
                                 int port, Results results) {
        Random pick = new Random(1000 + clientIndex);
        for (long scheduled = first; scheduled - end < 0; scheduled += period) {
            sleepUntil(scheduled);
            Body body = plan.bodies[pick.nextInt(plan.bodies.length)];
            results.sent.incrementAndGet();
            try {
                HttpResponse<String> r = client.send(upload(port, body), HttpResponse.BodyHandlers.ofString());
                long done = System.nanoTime();
                if (r.statusCode() == 200 && body.expected.equals(r.body())) {
                    results.served.incrementAndGet();
                    results.latencies.add(done - scheduled);
                } else if (r.statusCode() == 200) {
                    results.lose("answered with wrong output");
                } else {
                    results.lose("answered " + r.statusCode());
                }
            } catch (HttpConnectTimeoutException e) {
                results.lose("connection timed out");
            } catch (HttpTimeoutException e) {
                results.lose("no answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
            } catch (ConnectException e) {
                results.lose("connection refused (no service)");
            } catch (IOException e) {
                results.lose("connection lost");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Streams {@code size} bytes to {@code POST /convert}; stops sending once the service answers. */
    static Oversized oversized(int port, long size, long deadline, ScheduledExecutorService watchdog) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        } catch (IOException e) {
            closeQuietly(socket);
            return new Oversized(Oversized.Kind.NOT_SENT, 0, 0, "could not connect: " + e.getMessage());
        }
        ScheduledFuture<?> cut = watchdog.schedule(() -> closeQuietly(socket),
                Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        AtomicReference<String> statusLine = new AtomicReference<>();
        CountDownLatch answered = new CountDownLatch(1);
        long sent = 0;
        IOException writeFailure = null;
        try {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            Thread reader = thread("oversized-reader", () -> {
                try {
                    statusLine.set(readLine(in));
                } catch (IOException e) {
                    // no answer: the connection ended
                } finally {
                    answered.countDown();
                }
            });
            reader.start();
            OutputStream out = socket.getOutputStream();
            out.write(("POST /convert HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: text/csv\r\n"
                    + "Content-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[256 * 1024];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) (i % 64 == 63 ? '\n' : 'a' + i % 26);
            }
            try {
                while (sent < size && answered.getCount() > 0) {
                    int n = (int) Math.min(chunk.length, size - sent);
                    out.write(chunk, 0, n);
                    sent += n;
                }
                out.flush();
            } catch (IOException e) {
                writeFailure = e;
            }
            answered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            closeQuietly(socket);
            reader.join(5000);
        } catch (IOException e) {
            writeFailure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            cut.cancel(false);
            closeQuietly(socket);
        }
        String line = statusLine.get();
        int status = statusOf(line);
        if (status == 413 || status == 503) {
            return new Oversized(Oversized.Kind.REFUSED, status, sent, line);
        }
        if (status == 200) {
            return new Oversized(Oversized.Kind.SERVED, status, sent, line);
        }
        String why = status > 0 ? "answered " + line
                : "no answer, connection ended after " + sent / MiB + " MiB sent"
                        + (writeFailure != null ? " (" + writeFailure.getMessage() + ")" : "");
        return new Oversized(Oversized.Kind.FAILED, status, sent, why);
    }

    private static int statusOf(String statusLine) {
        if (statusLine == null) {
            return -1;
        }
        String[] parts = statusLine.split(" ");
        try {
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && line.size() < 8192) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    private static void sleepUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

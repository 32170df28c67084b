package io.heapguard.bench.pressure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@link PressureApp} bare and with heapguard's agent ({@code -javaagent}, built-in defaults, no rules file),
 * on each JDK and collector, {@code -runs} times each, and prints one markdown table: per JDK, collector and mode,
 * the median and the range over the runs of every measure. Runs alternate (odd rounds bare first, even rounds
 * agent first) so that drift in the machine spreads over both modes. Each JVM is stopped if it outlives its
 * plan's bound. Every run's output and {@code -Xlog:gc} file, the table and the raw figures land in {@code -out}.
 *
 * <pre>
 * java -jar benchmarks/target/pressure.jar [-runs 5] [-jdk JAVA_HOME]... [-gc G1,Serial] [-heap 256m]
 *      [-agent agent/target/heapguard-agent.jar] [-out benchmarks/results/pressure]
 *      [PressureApp's options: -seconds 20 -warmup 5 -rate 400 ...]
 * </pre>
 */
public final class PressureRun {
    private static final Set<String> OWN = new LinkedHashSet<>(List.of("runs", "jdk", "gc", "heap", "agent", "out"));
    private static final List<String> COLLECTORS = List.of("G1", "Serial", "Parallel");
    private static final Path TEMURIN_25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final Pattern SIZE = Pattern.compile("\\d+[kKmMgG]");
    private static final Pattern RESULT = Pattern.compile("^pressure\\.([\\w.-]+)=(.*)$");
    private static final Pattern RELEASE_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"([^\"]+)\"");

    /** A JDK to run on: its home and what the table calls it. */
    record Jdk(Path home, String label) {
        Path java() {
            return home.resolve("bin").resolve("java");
        }
    }

    /** One JVM's figures ({@code pressure.*} lines), or why it has none. */
    record Run(String jdk, String gc, boolean agent, int round, Map<String, String> figures, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** A column of the table: the app's key and how to show it. */
    record Measure(String key, String header, boolean agentOnly) {
    }

    static final List<Measure> MEASURES = List.of(
            new Measure("innocents.served", "served", false),
            new Measure("innocents.lost", "lost", false),
            new Measure("latency.p50-ms", "p50 ms", false),
            new Measure("latency.p99-ms", "p99 ms", false),
            new Measure("latency.max-ms", "max ms", false),
            new Measure("gc.pauses", "GC pauses", false),
            new Measure("gc.pause-ms", "GC ms", false),
            new Measure("gc.full", "full GCs", false),
            new Measure("heapguard.forced-collections", "forced GCs", true),
            new Measure("oversized.refused", "oversized refused", false),
            new Measure("oversized.oome", "oversized OOME", false));

    private PressureRun() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Set<String> known = new LinkedHashSet<>(OWN);
        known.addAll(Plan.OPTIONS);
        Options o;
        Plan plan;
        int runs;
        List<String> gcs;
        String heap;
        Path agent;
        List<String> notes = new ArrayList<>();
        List<Jdk> jdks;
        try {
            o = Options.parse(args, known);
            plan = Plan.from(o);
            runs = o.integer("runs", 5, 1, 100);
            gcs = collectors(o.string("gc", "G1,Serial"));
            heap = o.string("heap", "256m");
            if (!SIZE.matcher(heap).matches()) {
                throw new IllegalArgumentException("-heap = '" + heap + "': not a heap size (expected e.g. 256m, 1g)");
            }
            agent = Paths.get(o.string("agent", "agent/target/heapguard-agent.jar")).toAbsolutePath();
            if (!Files.isRegularFile(agent)) {
                throw new IllegalArgumentException("-agent = '" + agent + "': no such file (build it with "
                        + "./mvnw -B -q -DskipTests package)");
            }
            jdks = jdks(o.all("jdk"), notes);
        } catch (IllegalArgumentException e) {
            System.err.println("pressure: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path jar = ownJar();
        Path out = Paths.get(o.string("out", "benchmarks/results/pressure"));
        Files.createDirectories(out);
        for (String n : notes) {
            System.err.println("pressure: " + n);
        }
        if (jdks.isEmpty()) {
            System.err.println("pressure: no JDK to run on");
            System.exit(1);
        }

        List<String> appArgs = o.commandLine(Plan.OPTIONS);
        int jvms = runs * jdks.size() * gcs.size() * 2;
        System.err.printf(Locale.ROOT, "pressure: %d JVMs of about %d s each (at most %d s each), about %d min%n",
                jvms, plan.warmup() + plan.seconds() + 2, plan.boundSeconds(),
                (jvms * (plan.warmup() + plan.seconds() + 2L) + 59) / 60);
        Instant started = Instant.now();
        List<Run> results = new ArrayList<>();
        List<String> firstCommand = null;
        int done = 0;
        for (int round = 1; round <= runs; round++) {
            for (Jdk jdk : jdks) {
                for (String gc : gcs) {
                    for (boolean withAgent : round % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                        String name = String.format(Locale.ROOT, "jdk%s-%s-%s-r%d", jdk.label(), gc,
                                withAgent ? "agent" : "bare", round);
                        List<String> command = command(jdk, gc, heap, withAgent ? agent : null, jar,
                                out.resolve(name + ".gc.log"), appArgs);
                        if (firstCommand == null) {
                            firstCommand = command;
                        }
                        Run r = run(command, out.resolve(name + ".out"), plan.boundSeconds(), jdk.label(), gc,
                                withAgent, round);
                        results.add(r);
                        System.err.printf(Locale.ROOT, "[%d/%d] %s: %s%n", ++done, jvms, name, r.ok()
                                ? "served " + r.figures().get("innocents.served") + ", lost " + r.figures().get("innocents.lost")
                                + ", p99 " + r.figures().get("latency.p99-ms") + " ms" : r.failure());
                    }
                }
            }
        }

        String table = table(results, jdks, gcs, runs);
        StringBuilder report = new StringBuilder();
        report.append("### Open-loop pressure: ordinary requests beside oversized ones, bare and with heapguard\n\n");
        report.append(table).append('\n');
        report.append("Each cell: median (min–max) over the runs. ").append(plan.describe())
                .append(". -Xms = -Xmx = ").append(heap)
                .append(", heap touched before the run (-XX:+AlwaysPreTouch), heapguard's built-in defaults. Per run: ")
                .append(plan.measuredRequests())
                .append(" ordinary requests due in the window, ").append(plan.oversizedRequests())
                .append(" oversized. Latency of served requests from their due time; lost = refused, "
                        + "OutOfMemoryError, any other failure or unfinished. GC pauses and time from the "
                        + "GarbageCollectorMXBeans over the window; forced GCs: heapguard's ForcedCollections.\n");
        for (String w : warnings(results)) {
            report.append("\n").append(w).append('\n');
        }
        for (String n : notes) {
            report.append("\n").append(n).append('\n');
        }
        report.append("\n").append(runs).append(" run(s) each, ").append(started.truncatedTo(ChronoUnit.SECONDS))
                .append(" to ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("; first JVM: `")
                .append(String.join(" ", firstCommand)).append("`\n");
        Files.writeString(out.resolve("results.md"), report, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("runs.tsv"), tsv(results), StandardCharsets.UTF_8);
        System.out.print(report);
        System.err.println("pressure: " + out.resolve("results.md") + ", " + out.resolve("runs.tsv"));
    }

    static List<String> collectors(String list) {
        List<String> gcs = new ArrayList<>();
        for (String g : list.split(",")) {
            String name = g.trim();
            if (!COLLECTORS.contains(name)) {
                throw new IllegalArgumentException("-gc = '" + list + "': '" + name + "' is not one of " + COLLECTORS);
            }
            gcs.add(name);
        }
        return gcs;
    }

    /** The JDKs given with -jdk, or this JVM's own and Temurin 25 where it is installed. */
    static List<Jdk> jdks(List<String> homes, List<String> notes) throws IOException {
        List<Path> candidates = new ArrayList<>();
        if (homes.isEmpty()) {
            candidates.add(Paths.get(System.getProperty("java.home")));
            if (!Files.isDirectory(TEMURIN_25)) {
                notes.add("JDK 25 not found at " + TEMURIN_25 + ": not run (give one with -jdk)");
            } else if (!TEMURIN_25.toRealPath().equals(candidates.get(0).toRealPath())) {
                candidates.add(TEMURIN_25);
            }
        } else {
            for (String h : homes) {
                Path home = Paths.get(h);
                if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
                    throw new IllegalArgumentException("-jdk = '" + h + "': no bin/java there");
                }
                candidates.add(home);
            }
        }
        List<Jdk> jdks = new ArrayList<>();
        for (Path home : candidates) {
            jdks.add(new Jdk(home, feature(home)));
        }
        return jdks;
    }

    /** The JDK's feature release from its {@code release} file ("17" for 17.0.15), else its folder's name. */
    private static String feature(Path home) throws IOException {
        Path release = home.resolve("release");
        if (Files.isRegularFile(release)) {
            Matcher m = RELEASE_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1).split("[.+-]")[0];
            }
        }
        return home.getFileName().toString();
    }

    /** Where this class was loaded from: the jar holding the pressure classes and nothing of heapguard. */
    private static Path ownJar() {
        try {
            return Paths.get(PressureRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the pressure classes", e);
        }
    }

    static List<String> command(Jdk jdk, String gc, String heap, Path agent, Path classPath, Path gcLog,
                                List<String> appArgs) {
        // The whole heap committed and touched before the run: the first write to each page of the old
        // generation costs a page fault (on this machine about 3 ms a MiB, measured in young pauses that
        // promoted 64 MiB in 4.5 ms into touched pages and in 25-68 ms into fresh ones), paid once in a JVM's
        // life. Without it the run measured how far each mode's warm-up had pushed the old generation: the
        // bare JVM fills it to the top before each OutOfMemoryError, the agent refuses earlier and reached
        // fresh pages only in the measured window.
        List<String> c = new ArrayList<>(List.of(jdk.java().toString(), "-Xms" + heap, "-Xmx" + heap,
                "-XX:+AlwaysPreTouch", "-XX:+Use" + gc + "GC", "-Xshare:auto", "-Xlog:gc:file=" + gcLog));
        if (agent != null) {
            c.add("-javaagent:" + agent);
        }
        c.addAll(List.of("-cp", classPath.toString(), PressureApp.class.getName()));
        c.addAll(appArgs);
        return c;
    }

    static Run run(List<String> command, Path output, long boundSeconds, String jdk, String gc, boolean agent,
                   int round) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        String failure = null;
        try {
            if (!p.waitFor(boundSeconds, TimeUnit.SECONDS)) {
                failure = "stopped after " + boundSeconds + " s, its bound";
            }
        } finally {
            stop(p);
        }
        Map<String, String> figures = new LinkedHashMap<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            Matcher m = RESULT.matcher(line);
            if (m.matches()) {
                figures.put(m.group(1), m.group(2));
            }
        }
        if (failure == null && !"true".equals(figures.get("done"))) {
            failure = "ended with exit status " + p.exitValue() + " before reporting (see " + output.getFileName() + ")";
        }
        return new Run(jdk, gc, agent, round, figures, failure);
    }

    /** Ends the JVM, and whatever it started, if it still runs (past its bound, or the driver is interrupted). */
    private static void stop(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static String table(List<Run> results, List<Jdk> jdks, List<String> gcs, int runs) {
        StringBuilder t = new StringBuilder("| JDK | GC | | runs |");
        StringBuilder rule = new StringBuilder("|---|---|---|---:|");
        for (Measure m : MEASURES) {
            t.append(' ').append(m.header()).append(" |");
            rule.append("---:|");
        }
        t.append('\n').append(rule).append('\n');
        for (Jdk jdk : jdks) {
            for (String gc : gcs) {
                for (boolean agent : new boolean[] {false, true}) {
                    List<Run> group = new ArrayList<>();
                    for (Run r : results) {
                        if (r.ok() && r.jdk().equals(jdk.label()) && r.gc().equals(gc) && r.agent() == agent) {
                            group.add(r);
                        }
                    }
                    t.append("| ").append(jdk.label()).append(" | ").append(gc).append(" | ")
                            .append(agent ? "heapguard" : "bare").append(" | ").append(group.size()).append('/')
                            .append(runs).append(" |");
                    for (Measure m : MEASURES) {
                        t.append(' ').append(m.agentOnly() && !agent ? "—" : cell(group, m.key())).append(" |");
                    }
                    t.append('\n');
                }
            }
        }
        return t.toString();
    }

    /** Median (min–max) of one figure over the runs; just the value for one run. */
    static String cell(List<Run> group, String key) {
        List<Double> values = new ArrayList<>();
        for (Run r : group) {
            String v = r.figures().get(key);
            if (v != null) {
                values.add(Double.parseDouble(v));
            }
        }
        if (values.isEmpty()) {
            return "?";
        }
        values.sort(null);
        int n = values.size();
        double median = n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
        return n == 1 ? number(median)
                : number(median) + " (" + number(values.get(0)) + "–" + number(values.get(n - 1)) + ")";
    }

    /** Whole numbers with thousands separators; fractions to about three significant digits. */
    static String number(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a < 10 ? "%.2f" : a < 100 ? "%.1f" : "%,.0f", v);
    }

    /** What makes a run's figures doubtful: the JVM failed, or the oversized requests could not keep their pace. */
    static List<String> warnings(List<Run> results) {
        List<String> w = new ArrayList<>();
        for (Run r : results) {
            String where = "jdk" + r.jdk() + " " + r.gc() + (r.agent() ? " heapguard" : " bare") + " round " + r.round();
            if (!r.ok()) {
                w.add("**" + where + ": no figures, " + r.failure() + ".**");
                continue;
            }
            String late = r.figures().getOrDefault("oversized.late-starts", "0");
            if (!late.equals("0")) {
                w.add(where + ": " + late + " oversized request(s) started more than "
                        + TimeUnit.NANOSECONDS.toMillis(PressureApp.LATE_START_NANOS) + " ms late (at most "
                        + r.figures().get("oversized.max-start-lag-ms") + " ms): their pace was not the plan's.");
            }
            if (r.agent() && !"true".equals(r.figures().get("heapguard.mbean"))) {
                w.add(where + ": heapguard's Agent MBean did not appear before the window: no forced collections figure.");
            }
            if (!"true".equals(r.figures().get("threads.ended"))) {
                w.add(where + ": some requests were still running at the end and count as lost.");
            }
        }
        return w;
    }

    static String tsv(List<Run> results) {
        Set<String> keys = new LinkedHashSet<>();
        for (Run r : results) {
            keys.addAll(r.figures().keySet());
        }
        StringBuilder b = new StringBuilder("jdk\tgc\tmode\tround\tfailure");
        for (String k : keys) {
            b.append('\t').append(k);
        }
        b.append('\n');
        for (Run r : results) {
            b.append(r.jdk()).append('\t').append(r.gc()).append('\t').append(r.agent() ? "heapguard" : "bare")
                    .append('\t').append(r.round()).append('\t').append(r.ok() ? "" : r.failure());
            for (String k : keys) {
                b.append('\t').append(r.figures().getOrDefault(k, ""));
            }
            b.append('\n');
        }
        return b.toString();
    }
}

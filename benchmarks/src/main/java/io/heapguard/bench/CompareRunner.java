package io.heapguard.bench;

import org.apache.commons.math3.distribution.TDistribution;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Runs each selected benchmark bare and with heapguard's agent, in forks that differ only in
 * {@code -javaagent:...} (and the {@code -Dhgbench.expect} each fork checks; not under {@code heapguard.*}, which the agent
 * validates as its own configuration), and prints a table:
 * benchmark, bare score ± error, agent score ± error, ratio, target, met/missed.
 *
 * <p>Forks are interleaved to spread background noise evenly over the modes: round 1 runs fork 1 of every
 * benchmark bare then with the agent, round 2 runs fork 2 with the agent first, and so on. Each mode's
 * figure is the mean of all its measurement iterations over all forks, with JMH's own error: the
 * half-width of the 99.9% confidence interval (Student's t).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.heapguard.bench.CompareRunner \
 *      [-jvm /path/to/bin/java] [-agent agent/target/heapguard-agent.jar] [-f 2] [-wi 5] [-w 1s] [-i 5] [-r 1s]
 *      [-only REGEX] [-out DIR] [-jvmArgs "ARGS"] [-jfr] [-list]
 * </pre>
 */
public final class CompareRunner {

    /** One way of starting a fork. */
    enum ForkMode {
        BARE("bare", null, "bare"),
        AGENT("agent", "", "agent:" + (64L << 10)),
        AGENT_TRACK_MIN_1K("agent track.min=1k", "=track.min=1k", "agent:1024"),
        AGENT_ARRAYS_MIN_64K("agent arrays.min=64k", "=arrays.min=64k", "agent:" + (64L << 10));

        final String label;
        final String agentSuffix;
        final String expect;

        ForkMode(String label, String agentSuffix, String expect) {
            this.label = label;
            this.agentSuffix = agentSuffix;
            this.expect = expect;
        }
    }

    /** What a comparison is held to: the agent's ratio to bare, or an absolute bare score. */
    record Target(double ratio, double absolute, String text) {
        static final Target NONE = new Target(Double.NaN, Double.NaN, "—");

        static Target ratioAtMost(double r) {
            return new Target(r, Double.NaN, String.format(Locale.ROOT, "≤ %.2f×", r));
        }

        static Target scoreAtMost(double s, String unit) {
            return new Target(Double.NaN, s, String.format(Locale.ROOT, "≤ %.0f %s", s, unit));
        }
    }

    /** A benchmark method, the modes it runs in, and its target per compared mode. */
    record Entry(String method, List<ForkMode> modes, Map<ForkMode, Target> targets) {
    }

    private static final String PACKAGE = "io.heapguard.bench.";

    static List<Entry> suite() {
        List<ForkMode> both = List.of(ForkMode.BARE, ForkMode.AGENT);
        List<ForkMode> sweep = List.of(ForkMode.BARE, ForkMode.AGENT_TRACK_MIN_1K, ForkMode.AGENT);
        List<ForkMode> bare = List.of(ForkMode.BARE);
        List<Entry> s = new ArrayList<>();
        s.add(new Entry("ByteArrayOutputStreamBench.growTo1MiB", both, Map.of(ForkMode.AGENT, Target.ratioAtMost(1.03))));
        s.add(new Entry("ByteArrayOutputStreamBench.reset64KiB", both, Map.of(ForkMode.AGENT, Target.ratioAtMost(1.01))));
        s.add(new Entry("ByteArrayOutputStreamBench.reset64KiBIn64B", both,
                Map.of(ForkMode.AGENT, Target.ratioAtMost(1.01))));
        s.add(new Entry("ByteArrayOutputStreamBench.toByteArray1MiB", both, Map.of()));
        s.add(new Entry("ByteBufferBench.allocate64", both, Map.of(ForkMode.AGENT, Target.ratioAtMost(1.05))));
        s.add(new Entry("ByteBufferBench.allocate1MiB", both, Map.of()));
        s.add(new Entry("DirectByteBufferBench.allocateDirect64KiB", both, Map.of()));
        s.add(new Entry("NettyByteBufBench.writeGrowRelease", both, Map.of(ForkMode.AGENT, Target.ratioAtMost(1.02))));
        s.add(new Entry("StringBuilderBench.appendTo1MiB", both, Map.of()));
        s.add(new Entry("StringBuilderBench.json", both, Map.of()));
        s.add(new Entry("LedgerBench.grantCredit_1t", bare, Map.of(ForkMode.BARE, Target.scoreAtMost(50, "ns/op"))));
        s.add(new Entry("LedgerBench.grantCredit_2t", bare, Map.of()));
        s.add(new Entry("LedgerLifecycleBench.gcCredit64KiB", bare, Map.of()));
        s.add(new Entry("LedgerLifecycleBench.alloc64KiB", bare, Map.of()));
        s.add(new Entry("LedgerLifecycleBench.grantCredit1MiB", bare, Map.of()));
        for (String m : List.of("newByteArray", "newObjectArray", "copyOf", "newMatrix", "encode", "newByteArray1MiB",
                "grow4MiB")) {
            s.add(new Entry("arrays.ArrayGuardBench." + m, both, Map.of()));
        }
        List<ForkMode> arraysSweep = List.of(ForkMode.BARE, ForkMode.AGENT_ARRAYS_MIN_64K);
        s.add(new Entry("arrays.ArraysMinSweepBench.newByteArray", arraysSweep, Map.of()));
        s.add(new Entry("arrays.ArraysMinSweepBench.newObjectArray", arraysSweep, Map.of()));
        s.add(new Entry("TrackMinSweepBench.allocate", sweep, Map.of()));
        s.add(new Entry("TrackMinSweepBench.baosWrite", sweep, Map.of()));
        return s;
    }

    /** Measurement iterations of one benchmark (with its parameters) in one mode, over every fork. */
    static final class Series {
        final String benchmark;
        final String params;
        final ForkMode mode;
        String unit;
        final List<Double> scores = new ArrayList<>();
        /** Mean of each fork's measurement iterations, by round (1-based). */
        final Map<Integer, Double> forkMeans = new TreeMap<>();
        int forks;
        String failure;

        Series(String benchmark, String params, ForkMode mode) {
            this.benchmark = benchmark;
            this.params = params;
            this.mode = mode;
        }

        String name() {
            return params.isEmpty() ? benchmark : benchmark + " (" + params + ")";
        }

        double mean() {
            double s = 0;
            for (double d : scores) {
                s += d;
            }
            return s / scores.size();
        }

        /** The median iteration: less swayed than the mean by iterations another process disturbed. */
        double median() {
            List<Double> sorted = new ArrayList<>(scores);
            java.util.Collections.sort(sorted);
            return medianOfSorted(sorted);
        }

        /** Half-width of the 99.9% confidence interval, as JMH reports it; NaN for fewer than 2 samples. */
        double error() {
            int n = scores.size();
            if (n < 2) {
                return Double.NaN;
            }
            double m = mean();
            double ss = 0;
            for (double d : scores) {
                ss += (d - m) * (d - m);
            }
            double sd = Math.sqrt(ss / (n - 1));
            double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - 0.001 / 2);
            return t * sd / Math.sqrt(n);
        }
    }

    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();

    private String jvm;
    private Path agentSource;
    private int forks = 4;
    private int warmupIterations = 3;
    private TimeValue warmupTime = TimeValue.seconds(1);
    private int iterations = 4;
    private TimeValue measurementTime = TimeValue.seconds(1);
    private Pattern only;
    private Path out;
    private final List<String> extraJvmArgs = new ArrayList<>();
    private boolean jfr;
    private boolean listOnly;
    /** Before each fork, wait until the rest of the machine uses fewer cores than this (0: don't wait). */
    private double quietCores = 0.5;
    private int quietMaxSeconds = 60;
    /** Parameter values given with -p, overriding the benchmarks' own. */
    private final Map<String, String[]> params = new LinkedHashMap<>();
    /** Run the forks under {@code nice -n N} (a negative N raises their priority; needs root). */
    private Integer nice;
    /** Cores the whole machine was busy during each run, by series key; for the noise report. */
    private final Map<String, List<Double>> busyDuring = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        CompareRunner r = new CompareRunner();
        r.parse(args);
        System.exit(r.run());
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-jvm" -> jvm = value(args, ++i, a);
                case "-agent" -> agentSource = Paths.get(value(args, ++i, a));
                case "-f" -> forks = Integer.parseInt(value(args, ++i, a));
                case "-wi" -> warmupIterations = Integer.parseInt(value(args, ++i, a));
                case "-w" -> warmupTime = TimeValue.fromString(value(args, ++i, a));
                case "-i" -> iterations = Integer.parseInt(value(args, ++i, a));
                case "-r" -> measurementTime = TimeValue.fromString(value(args, ++i, a));
                case "-only" -> only = Pattern.compile(value(args, ++i, a));
                case "-p" -> {
                    String param = value(args, ++i, a);
                    int eq = param.indexOf('=');
                    if (eq <= 0 || eq == param.length() - 1) {
                        System.err.println("-p = '" + param + "': expected name=value[,value...]");
                        System.exit(2);
                    }
                    params.put(param.substring(0, eq), param.substring(eq + 1).split(","));
                }
                case "-out" -> out = Paths.get(value(args, ++i, a));
                case "-jvmArgs" -> {
                    for (String s : value(args, ++i, a).trim().split("\\s+")) {
                        if (!s.isEmpty()) {
                            extraJvmArgs.add(s);
                        }
                    }
                }
                case "-jfr" -> jfr = true;
                case "-quiet" -> quietCores = Double.parseDouble(value(args, ++i, a));
                case "-quietMax" -> quietMaxSeconds = Integer.parseInt(value(args, ++i, a));
                case "-nice" -> nice = Integer.parseInt(value(args, ++i, a));
                case "-list" -> listOnly = true;
                case "-h", "-help", "--help" -> {
                    usage(System.out);
                    System.exit(0);
                }
                default -> {
                    System.err.println("unknown option " + a);
                    usage(System.err);
                    System.exit(2);
                }
            }
        }
        if (jvm == null) {
            jvm = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        }
        if (agentSource == null) {
            agentSource = Paths.get("agent", "target", "heapguard-agent.jar");
        }
        if (forks < 1 || iterations < 2) {
            throw new IllegalArgumentException("need -f >= 1 and -i >= 2");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -cp benchmarks.jar io.heapguard.bench.CompareRunner [options]");
        s.println("  -jvm PATH       java of the forks (default: this JVM's)");
        s.println("  -agent PATH     heapguard-agent.jar (default: agent/target/heapguard-agent.jar); copied to -out first");
        s.println("  -f N            forks (rounds) per benchmark and mode (default 4), modes back to back in each round");
        s.println("  -wi N -w TIME   warm-up iterations and their length (default 3, 1s)");
        s.println("  -i N -r TIME    measurement iterations and their length (default 4, 1s)");
        s.println("  -only REGEX     only the benchmarks (Class.method) that match");
        s.println("  -p NAME=V[,V]   only these values of a benchmark parameter (JMH's -p)");
        s.println("  -out DIR        where to write results.md/.csv/.json, jmh.log (default benchmarks/results/jmh-jdkN)");
        s.println("  -jvmArgs ARGS   extra JVM arguments for every fork");
        s.println("  -jfr            record every fork with JFR (settings=profile) into DIR/jfr/");
        s.println("  -quiet CORES    before each fork wait until the machine is busy on fewer cores (default 0.5; 0: off)");
        s.println("  -quietMax SEC   ... but at most this long (default 60)");
        s.println("  -nice N         run the forks under nice -n N (e.g. -10, as root) to shield them from other load");
        s.println("  -list           print the suite and exit");
    }

    private int run() throws Exception {
        List<Entry> entries = new ArrayList<>();
        for (Entry e : suite()) {
            if (only == null || only.matcher(e.method()).find()) {
                entries.add(e);
            }
        }
        if (listOnly) {
            for (Entry e : entries) {
                List<String> modes = new ArrayList<>();
                for (ForkMode m : e.modes()) {
                    modes.add(m.label);
                }
                System.out.println(e.method() + "  " + modes + "  " + e.targets());
            }
            return 0;
        }
        if (entries.isEmpty()) {
            System.err.println("no benchmark matches " + only);
            return 2;
        }
        String jdk = jdkVersion(jvm);
        if (out == null) {
            out = Paths.get("benchmarks", "results", "jmh-jdk" + major(jdk));
        }
        Files.createDirectories(out);
        boolean needsAgent = false;
        for (Entry e : entries) {
            needsAgent |= e.modes().stream().anyMatch(m -> m.agentSuffix != null);
        }
        Path agent = null;
        String agentSha = "";
        if (needsAgent) {
            if (!Files.isRegularFile(agentSource)) {
                System.err.println("no agent jar at " + agentSource.toAbsolutePath()
                        + ": build it (./mvnw -q -DskipTests package, from the repository root) or pass -agent");
                return 2;
            }
            // A private copy: the agent under measurement cannot change if the module is rebuilt meanwhile.
            agent = out.resolve("heapguard-agent.jar").toAbsolutePath();
            Files.copy(agentSource, agent, StandardCopyOption.REPLACE_EXISTING);
            agentSha = sha256(agent);
        }
        if (jfr) {
            Files.createDirectories(out.resolve("jfr"));
        }
        String forkJvm = jvm;
        if (nice != null) {
            // JMH starts forks with the "jvm" as the command: a wrapper that execs it under nice.
            Path wrapper = out.resolve("java-nice.sh").toAbsolutePath();
            Files.writeString(wrapper, "#!/bin/sh\nexec nice -n " + nice + " '" + jvm + "' \"$@\"\n");
            wrapper.toFile().setExecutable(true);
            forkJvm = wrapper.toString();
        }

        int runs = 0;
        int paramSets = 0;
        for (Entry e : entries) {
            int p = e.method().startsWith("TrackMinSweepBench") || e.method().contains("ArraysMinSweepBench") ? 4
                    : e.method().startsWith("LedgerBench") ? 2 : 1;
            runs += e.modes().size() * forks;
            paramSets += e.modes().size() * forks * p;
        }
        double perFork = warmupIterations * warmupTime.convertTo(java.util.concurrent.TimeUnit.MILLISECONDS)
                + iterations * measurementTime.convertTo(java.util.concurrent.TimeUnit.MILLISECONDS);
        long estimateS = Math.round((paramSets * (perFork + 1500)) / 1000.0);
        String started = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        System.out.printf(Locale.ROOT, "heapguard CompareRunner: %d benchmarks, %d JMH runs, %d forks; about %d min%n",
                entries.size(), runs, paramSets, (estimateS + 59) / 60);
        System.out.println("  jvm   " + jvm + " (" + jdk + ")");
        if (agent != null) {
            System.out.println("  agent " + agent + " (sha256 " + agentSha.substring(0, 12) + ", from " + agentSource + ")");
        }
        System.out.println("  JMH output: " + out.resolve("jmh.log"));

        long t0 = System.nanoTime();
        int done = 0;
        try (PrintStream log = new PrintStream(new FileOutputStream(out.resolve("jmh.log").toFile(), false), true,
                StandardCharsets.UTF_8)) {
            OutputFormat format = OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL);
            for (int round = 1; round <= forks; round++) {
                for (Entry e : entries) {
                    List<ForkMode> modes = new ArrayList<>(e.modes());
                    if (round % 2 == 0) {
                        java.util.Collections.reverse(modes);
                    }
                    for (ForkMode m : modes) {
                        done++;
                        String key = e.method() + "|" + m;
                        System.out.printf(Locale.ROOT, "[%3d/%d %5.0fs] %-45s %-20s fork %d/%d%n", done, runs,
                                (System.nanoTime() - t0) / 1e9, e.method(), m.label, round, forks);
                        if (failures.containsKey(key)) {
                            continue;
                        }
                        waitForQuiet();
                        long[] before = CpuMeter.sample();
                        try {
                            Collection<RunResult> results = runWaitingForLock(options(e, m, agent, round, forkJvm)
                                    .build(), format);
                            if (results.isEmpty()) {
                                throw new RunnerException("no results (did the fork fail? see jmh.log)");
                            }
                            double busy = CpuMeter.busyCores(before, CpuMeter.sample());
                            busyDuring.computeIfAbsent(key, k -> new ArrayList<>()).add(busy);
                            log.printf(Locale.ROOT, "# machine busy during this run: %.2f cores%n", busy);
                            record(m, results, round);
                        } catch (RunnerException | RuntimeException ex) {
                            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
                            failures.put(key, msg);
                            System.out.println("      FAILED: " + msg.lines().findFirst().orElse(msg)
                                    + " (details in jmh.log)");
                        }
                    }
                }
            }
        }
        long elapsed = Math.round((System.nanoTime() - t0) / 1e9);

        String header = header(jdk, agent, agentSha, agentSource, started, elapsed);
        String table = comparisonTable(entries);
        String sweepTable = sweepTable();
        String md = header + "\n" + table + (sweepTable.isEmpty() ? "" : "\n" + sweepTable);
        md += loadReport();
        if (!failures.isEmpty()) {
            StringBuilder f = new StringBuilder("\n### Failed runs\n\n");
            for (Map.Entry<String, String> x : failures.entrySet()) {
                f.append("- `").append(x.getKey()).append("`: ")
                        .append(x.getValue().lines().findFirst().orElse("")).append('\n');
            }
            md += f;
        }
        Files.writeString(out.resolve("results.md"), md);
        Files.writeString(out.resolve("results.csv"), csv());
        Files.writeString(out.resolve("results.json"), json(jdk, agentSha));
        System.out.println();
        System.out.println(md);
        System.out.println("written: " + out.resolve("results.md") + ", results.csv, results.json");
        return failures.isEmpty() ? 0 : 1;
    }

    /**
     * Runs JMH; while another JMH instance holds JMH's lock file ({@code /tmp/jmh.lock}), waits for it
     * (up to 30 min) rather than run alongside it or give up.
     */
    private static Collection<RunResult> runWaitingForLock(org.openjdk.jmh.runner.options.Options o, OutputFormat format)
            throws RunnerException, InterruptedException {
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
        boolean told = false;
        while (true) {
            try {
                return new Runner(o, format).run();
            } catch (RunnerException e) {
                String msg = String.valueOf(e.getMessage());
                if (!msg.contains("JMH lock") || System.nanoTime() > deadline) {
                    throw e;
                }
                if (!told) {
                    System.out.println("      another JMH instance holds /tmp/jmh.lock: waiting for it...");
                    told = true;
                }
                Thread.sleep(5000);
            }
        }
    }

    /** Waits (up to -quietMax) until the machine, before our fork starts, is busy on fewer than -quiet cores. */
    private void waitForQuiet() throws InterruptedException {
        if (quietCores <= 0) {
            return;
        }
        long deadline = System.nanoTime() + quietMaxSeconds * 1_000_000_000L;
        int quietSamples = 0;
        double busy = 0;
        boolean waited = false;
        while (System.nanoTime() < deadline) {
            long[] a = CpuMeter.sample();
            Thread.sleep(1000);
            busy = CpuMeter.busyCores(a, CpuMeter.sample());
            if (busy < quietCores) {
                if (++quietSamples >= 2) {
                    if (waited) {
                        System.out.printf(Locale.ROOT, "      (machine quiet again: %.2f cores busy)%n", busy);
                    }
                    return;
                }
            } else {
                quietSamples = 0;
                if (!waited) {
                    System.out.printf(Locale.ROOT, "      waiting for other load to pass (%.2f cores busy)...%n", busy);
                    waited = true;
                }
            }
        }
        System.out.printf(Locale.ROOT, "      still %.2f cores busy after %d s: running anyway%n", busy, quietMaxSeconds);
    }

    private ChainedOptionsBuilder options(Entry e, ForkMode m, Path agent, int round, String forkJvm) {
        List<String> args = new ArrayList<>();
        // Identical in every mode: a fixed heap so GC behaviour does not depend on start-up sizing.
        args.add("-Xms2g");
        args.add("-Xmx2g");
        args.add("-XX:+UseG1GC");
        args.addAll(extraJvmArgs);
        args.add("-D" + AgentCheck.PROPERTY + "=" + m.expect);
        if (jfr) {
            String file = out.resolve("jfr").resolve(e.method() + "-" + m.name().toLowerCase(Locale.ROOT) + "-f" + round
                    + ".jfr").toAbsolutePath().toString();
            args.add("-XX:StartFlightRecording=filename=" + file + ",settings=profile");
        }
        if (m.agentSuffix != null) {
            args.add("-javaagent:" + agent + m.agentSuffix);
        }
        ChainedOptionsBuilder options = new OptionsBuilder();
        for (Map.Entry<String, String[]> p : params.entrySet()) {
            options = options.param(p.getKey(), p.getValue());
        }
        return options
                .include("^" + Pattern.quote(PACKAGE + e.method()) + "$")
                .forks(1)
                .warmupIterations(warmupIterations)
                .warmupTime(warmupTime)
                .measurementIterations(iterations)
                .measurementTime(measurementTime)
                .jvm(forkJvm)
                .jvmArgsAppend(args.toArray(new String[0]))
                .shouldFailOnError(true);
    }

    private void record(ForkMode m, Collection<RunResult> results, int round) {
        for (RunResult rr : results) {
            BenchmarkParams p = rr.getParams();
            String bench = p.getBenchmark().substring(PACKAGE.length());
            StringBuilder params = new StringBuilder();
            for (String k : p.getParamsKeys()) {
                if (params.length() > 0) {
                    params.append(", ");
                }
                params.append(k).append('=').append(p.getParam(k));
            }
            String key = bench + "|" + params + "|" + m;
            Series s = series.computeIfAbsent(key, k -> new Series(bench, params.toString(), m));
            for (BenchmarkResult br : rr.getBenchmarkResults()) {
                double sum = 0;
                int n = 0;
                for (IterationResult ir : br.getIterationResults()) {
                    s.scores.add(ir.getPrimaryResult().getScore());
                    s.unit = ir.getScoreUnit();
                    sum += ir.getPrimaryResult().getScore();
                    n++;
                }
                if (n > 0) {
                    s.forkMeans.put(round, sum / n);
                }
                s.forks++;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reports

    private Series find(String bench, String params, ForkMode m) {
        return series.get(bench + "|" + params + "|" + m);
    }

    /** The distinct parameter sets seen for a benchmark, in order. */
    private List<String> paramSets(String bench) {
        List<String> out = new ArrayList<>();
        for (Series s : series.values()) {
            if (s.benchmark.equals(bench) && !out.contains(s.params)) {
                out.add(s.params);
            }
        }
        return out;
    }

    private String comparisonTable(List<Entry> entries) {
        StringBuilder t = new StringBuilder();
        t.append("| benchmark | unit | bare | agent | ratio of pooled means | paired ratio (95% CI) "
                + "| paired median (95% CI) | target | verdict |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---|---|\n");
        for (Entry e : entries) {
            if (e.method().startsWith("TrackMinSweepBench")) {
                continue; // its own table
            }
            for (String params : paramSets(e.method())) {
                Series bare = find(e.method(), params, ForkMode.BARE);
                if (bare == null) {
                    continue;
                }
                if (e.modes().size() == 1) {
                    Target target = e.targets().getOrDefault(ForkMode.BARE, Target.NONE);
                    String verdict = "—";
                    if (!Double.isNaN(target.absolute())) {
                        verdict = verdict(bare.mean(), bare.error(), target.absolute());
                    }
                    t.append("| ").append(bare.name()).append(" | ").append(bare.unit).append(" | ")
                            .append(pm(bare)).append(" | (ledger only) | — | — | — | ").append(target.text()).append(" | ")
                            .append(verdict).append(" |\n");
                    continue;
                }
                for (ForkMode m : e.modes()) {
                    if (m == ForkMode.BARE) {
                        continue;
                    }
                    Series agent = find(e.method(), params, m);
                    Target target = e.targets().getOrDefault(m, Target.NONE);
                    if (agent == null) {
                        String why = failures.containsKey(e.method() + "|" + m) ? "FAILED (see jmh.log)" : "not run";
                        t.append("| ").append(bare.name()).append(" | ").append(bare.unit).append(" | ")
                                .append(pm(bare)).append(" | ").append(why).append(" | — | — | — | ").append(target.text())
                                .append(" | — |\n");
                        continue;
                    }
                    double ratio = agent.mean() / bare.mean();
                    double rErr = ratioError(bare, agent);
                    double[] paired = pairedRatio(bare, agent);
                    String verdict = Double.isNaN(target.ratio()) ? "—"
                            : Double.isNaN(paired[1]) ? verdict(ratio, rErr, target.ratio())
                            : verdictInterval(paired[0], paired[1], paired[2], target.ratio());
                    String name = m == ForkMode.AGENT ? bare.name() : bare.name() + " [" + m.label + "]";
                    t.append("| ").append(name).append(" | ").append(bare.unit).append(" | ").append(pm(bare))
                            .append(" | ").append(pm(agent)).append(" | ")
                            .append(String.format(Locale.ROOT, "%.3f ± %.3f", ratio, rErr)).append(" | ")
                            .append(pairedText(paired)).append(" | ")
                            .append(pairedText(pairedMedian(bare, agent))).append(" | ")
                            .append(target.text()).append(" | ").append(verdict).append(" |\n");
                }
            }
        }
        return t.toString();
    }

    /** The track.min sweep: what the slow path adds, absolute and as a share of the allocation. */
    private String sweepTable() {
        StringBuilder t = new StringBuilder();
        for (String bench : List.of("TrackMinSweepBench.allocate", "TrackMinSweepBench.baosWrite")) {
            List<String> sets = paramSets(bench);
            if (sets.isEmpty()) {
                continue;
            }
            if (t.length() == 0) {
                t.append("### track.min sweep (ns/op; slow path = agent with track.min=1k)\n\n");
                t.append("| benchmark | size | bare | agent track.min=1k (slow path) | added | added ÷ bare | "
                        + "slow ÷ bare, paired (95% CI) | agent default track.min | default ÷ bare, paired |\n");
                t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            }
            for (String params : sets) {
                Series bare = find(bench, params, ForkMode.BARE);
                Series slow = find(bench, params, ForkMode.AGENT_TRACK_MIN_1K);
                Series dflt = find(bench, params, ForkMode.AGENT);
                if (bare == null) {
                    continue;
                }
                String size = params.replace("size=", "");
                t.append("| ").append(bench.substring("TrackMinSweepBench.".length())).append(" | ")
                        .append(size).append(" | ").append(pm(bare)).append(" | ");
                if (slow != null) {
                    double added = slow.mean() - bare.mean();
                    double addedErr = Math.hypot(nz(slow.error()), nz(bare.error()));
                    t.append(pm(slow)).append(" | ")
                            .append(String.format(Locale.ROOT, "%.1f ± %.1f", added, addedErr)).append(" | ")
                            .append(String.format(Locale.ROOT, "%+.1f%% ± %.1f%%", 100 * added / bare.mean(),
                                    100 * addedErr / bare.mean()))
                            .append(" | ")
                            .append(pairedText(pairedRatio(bare, slow)))
                            .append(" | ");
                } else {
                    t.append("— | — | — | — | ");
                }
                if (dflt != null) {
                    t.append(pm(dflt)).append(" | ").append(pairedText(pairedRatio(bare, dflt))).append(" |\n");
                } else {
                    t.append("— | — |\n");
                }
            }
        }
        return t.toString();
    }

    /**
     * The whole machine's busy cores during each run (the fork itself keeps about one core busy, two for
     * the 2-thread benchmark, plus JIT and GC threads); runs well above that shared the machine with
     * other work.
     */
    private String loadReport() {
        List<Double> all = new ArrayList<>();
        StringBuilder noisy = new StringBuilder();
        for (Map.Entry<String, List<Double>> x : busyDuring.entrySet()) {
            all.addAll(x.getValue());
            double expected = x.getKey().contains("_2t") ? 2.0 : 1.0;
            double max = x.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            if (max > expected + 0.5 && expected < 2.0) {
                noisy.append(noisy.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "`%s` %.2f", x.getKey().replace('|', ' '), max));
            }
        }
        if (all.isEmpty()) {
            return "";
        }
        java.util.Collections.sort(all);
        StringBuilder r = new StringBuilder(String.format(Locale.ROOT,
                "%nMachine load during the runs (busy cores of %d, whole machine, fork included): median %.2f, max %.2f.",
                Runtime.getRuntime().availableProcessors(), all.get(all.size() / 2), all.get(all.size() - 1)));
        r.append(noisy.length() == 0 ? " No single-threaded run shared the machine with more than half a core of other work.\n"
                : " Single-threaded runs that shared the machine with other work (max busy cores): " + noisy + ".\n");
        return r.toString();
    }

    /**
     * The ratio agent ÷ bare from forks run back to back in the same round, which share whatever else
     * the machine was doing then: the geometric mean of the per-round ratios, with its 95% confidence
     * interval (Student's t on the log-ratios). {@code [ratio, low, high, rounds]}; NaNs without pairs.
     */
    static double[] pairedRatio(Series bare, Series agent) {
        List<Double> logs = new ArrayList<>();
        for (double r : perRoundRatios(bare, agent)) {
            logs.add(Math.log(r));
        }
        int n = logs.size();
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN, 0};
        }
        double m = 0;
        for (double d : logs) {
            m += d;
        }
        m /= n;
        if (n < 2) {
            return new double[] {Math.exp(m), Double.NaN, Double.NaN, n};
        }
        double ss = 0;
        for (double d : logs) {
            ss += (d - m) * (d - m);
        }
        double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(ss / (n - 1) / n);
        return new double[] {Math.exp(m), Math.exp(m - half), Math.exp(m + half), n};
    }

    /** Agent ÷ bare fork means of the rounds that have both. */
    private static List<Double> perRoundRatios(Series bare, Series agent) {
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<Integer, Double> b : bare.forkMeans.entrySet()) {
            Double a = agent.forkMeans.get(b.getKey());
            if (a != null && a > 0 && b.getValue() > 0) {
                ratios.add(a / b.getValue());
            }
        }
        return ratios;
    }

    private static double medianOfSorted(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * The median of the per-round ratios agent ÷ bare, with a distribution-free 95% interval (order statistics
     * of the binomial): {@code [median, low, high, rounds]}, NaN bounds under 6 rounds. This machine has spells
     * of 15% slower memory copies lasting tens of seconds, whatever runs (BENCHMARKS.md, "Machine"): a round
     * whose two forks straddle the start or end of one gives a ratio far off, which moves the geometric mean
     * but not the median.
     */
    static double[] pairedMedian(Series bare, Series agent) {
        List<Double> ratios = perRoundRatios(bare, agent);
        int n = ratios.size();
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN, 0};
        }
        java.util.Collections.sort(ratios);
        double median = medianOfSorted(ratios);
        int k = medianIntervalRank(n);
        if (k < 1) {
            return new double[] {median, Double.NaN, Double.NaN, n};
        }
        return new double[] {median, ratios.get(k - 1), ratios.get(n - k), n};
    }

    /**
     * The largest k with P(Binomial(n, 1/2) < k) ≤ 2.5%: the k-th smallest and k-th largest of n observations
     * bound their median with at least 95% confidence. 0 when n is too small for any such bound.
     */
    static int medianIntervalRank(int n) {
        double below = 0; // P(X <= j - 1) for the j being tried
        double term = Math.pow(0.5, n); // P(X = 0)
        int k = 0;
        for (int j = 1; j <= n / 2; j++) {
            below += term; // now P(X <= j - 1)
            if (below > 0.025) {
                break;
            }
            k = j;
            term = term * (n - (j - 1)) / j; // P(X = j)
        }
        return k;
    }

    static String pairedText(double[] p) {
        if (Double.isNaN(p[0])) {
            return "—";
        }
        if (Double.isNaN(p[1])) {
            return String.format(Locale.ROOT, "%.3f", p[0]);
        }
        return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", p[0], p[1], p[2]);
    }

    private static double nz(double d) {
        return Double.isNaN(d) ? 0 : d;
    }

    private static double ratioError(Series bare, Series agent) {
        double r = agent.mean() / bare.mean();
        return r * Math.hypot(nz(bare.error()) / bare.mean(), nz(agent.error()) / agent.mean());
    }

    /** Met when the point estimate is within the target; says so when the interval straddles it. */
    private static String verdict(double value, double error, double target) {
        boolean met = value <= target;
        boolean straddles = !Double.isNaN(error) && value - error <= target && value + error > target;
        if (met) {
            return straddles ? "met (CI reaches past target)" : "**met**";
        }
        return straddles ? "missed (within CI)" : "**MISSED**";
    }

    /** On the paired ratio: met when the estimate is within target, and says how sure that is. */
    private static String verdictInterval(double value, double low, double high, double target) {
        if (value <= target) {
            return high <= target ? "**met**" : "met (CI reaches past target)";
        }
        return low <= target ? "missed (within CI)" : "**MISSED**";
    }

    private static String pm(Series s) {
        double m = s.mean();
        double e = s.error();
        int decimals = m >= 1000 ? 0 : m >= 100 ? 1 : m >= 10 ? 2 : 3;
        String f = "%." + decimals + "f ± %." + decimals + "f";
        return String.format(Locale.ROOT, f, m, e);
    }

    private String header(String jdk, Path agent, String sha, Path agentSource, String started, long elapsedS) {
        StringBuilder h = new StringBuilder();
        h.append("## JMH: ").append(jdk).append("\n\n");
        h.append("- started ").append(started).append(", took ").append(elapsedS / 60).append(" min ")
                .append(elapsedS % 60).append(" s\n");
        h.append("- forks JVM `").append(jvm).append("`\n");
        if (agent != null) {
            h.append("- agent `").append(agentSource).append("` sha256 `").append(sha, 0, 16).append("…`\n");
        }
        h.append(String.format(Locale.ROOT,
                "- %d fork(s) per benchmark and mode, one per round, modes back to back in each round; warm-up %d × %s, "
                        + "measurement %d × %s; fork flags `-Xms2g -Xmx2g -XX:+UseG1GC%s`%n"
                        + "- scores: mean of all measurement iterations ± 99.9%% CI half-width (JMH's); "
                        + "paired ratio: geometric mean over rounds of agent ÷ bare fork means, 95%% CI; paired median: the median "
                        + "of those per-round ratios, 95%% CI from order statistics; verdicts use the paired ratio%n",
                forks, warmupIterations, warmupTime, iterations, measurementTime,
                extraJvmArgs.isEmpty() ? "" : " " + String.join(" ", extraJvmArgs)));
        return h.toString();
    }

    private String csv() {
        StringBuilder c = new StringBuilder("benchmark,params,mode,unit,score,error,median,samples,forks\n");
        for (Series s : series.values()) {
            c.append(s.benchmark).append(",\"").append(s.params).append("\",").append(s.mode.label).append(',')
                    .append(s.unit).append(',')
                    .append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f", s.mean(), s.error(), s.median())).append(',')
                    .append(s.scores.size()).append(',').append(s.forks).append('\n');
        }
        return c.toString();
    }

    private String json(String jdk, String agentSha) {
        StringBuilder j = new StringBuilder("{\n  \"jdk\": ").append(quote(jdk)).append(",\n  \"jvm\": ")
                .append(quote(jvm)).append(",\n  \"agentSha256\": ").append(quote(agentSha))
                .append(",\n  \"series\": [\n");
        boolean first = true;
        for (Series s : series.values()) {
            if (!first) {
                j.append(",\n");
            }
            first = false;
            j.append("    {\"benchmark\": ").append(quote(s.benchmark)).append(", \"params\": ")
                    .append(quote(s.params)).append(", \"mode\": ").append(quote(s.mode.label))
                    .append(", \"unit\": ").append(quote(s.unit))
                    .append(String.format(Locale.ROOT, ", \"score\": %.4f, \"error\": %.4f, \"forks\": %d, \"samples\": [",
                            s.mean(), s.error(), s.forks));
            for (int i = 0; i < s.scores.size(); i++) {
                j.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", s.scores.get(i)));
            }
            j.append("], \"forkMeansByRound\": {");
            boolean firstRound = true;
            for (Map.Entry<Integer, Double> fm : s.forkMeans.entrySet()) {
                j.append(firstRound ? "" : ", ").append('"').append(fm.getKey()).append("\": ")
                        .append(String.format(Locale.ROOT, "%.4f", fm.getValue()));
                firstRound = false;
            }
            j.append("}}");
        }
        j.append("\n  ],\n  \"failures\": {");
        first = true;
        for (Map.Entry<String, String> f : new TreeMap<>(failures).entrySet()) {
            j.append(first ? "" : ",").append("\n    ").append(quote(f.getKey())).append(": ")
                    .append(quote(f.getValue()));
            first = false;
        }
        return j.append(first ? "" : "\n  ").append("}\n}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : (s == null ? "" : s).toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    // ---------------------------------------------------------------------------------------------

    /** The first line of {@code java -version} plus the runtime line, e.g. "OpenJDK 17.0.15+6". */
    static String jdkVersion(String java) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String version = null;
        String vendor = null;
        try (InputStream in = p.getInputStream();
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.trim();
                if (line.startsWith("java.runtime.version = ")) {
                    version = line.substring("java.runtime.version = ".length());
                } else if (line.startsWith("java.vendor = ")) {
                    vendor = line.substring("java.vendor = ".length());
                }
            }
        }
        p.waitFor();
        if (version == null) {
            throw new IOException("cannot run " + java + " -version");
        }
        return "JDK " + version + (vendor == null ? "" : " (" + vendor + ")");
    }

    static String major(String jdk) {
        String v = jdk.substring("JDK ".length());
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return v.substring(0, end);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
    }
}

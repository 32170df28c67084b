package io.heapguard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Summarises {@code benchmarks/scripts/startup.sh}'s hyperfine exports ({@code jdk<N>-<app>-r<round>.json}, rounds
 * pooled): per JDK and app, each configuration's median wall time with its interquartile range, the
 * time added to bare (difference of medians, 95% bootstrap interval), heapguard's added time against
 * OTel's, and the targets: heapguard adds at most 150 ms and at most a fifth of what OTel adds.
 *
 * <pre>java -cp benchmarks.jar io.heapguard.bench.StartupReport benchmarks/results/startup</pre>
 */
public final class StartupReport {
    static final double TARGET_ADDED_MS = 150;
    static final double TARGET_SHARE_OF_OTEL = 0.2;
    private static final int BOOTSTRAP = 4000;

    private StartupReport() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args.length > 0 ? args[0] : "benchmarks/results/startup");
        // jdk -> app -> config -> times (s)
        Map<String, Map<String, Map<String, List<Double>>>> data = new TreeMap<>();
        Pattern name = Pattern.compile("jdk(\\d+)-(\\w+)-r\\d+\\.json");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "jdk*-*-r*.json")) {
            for (Path f : files) {
                Matcher m = name.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                Object json = new Json(Files.readString(f)).value();
                for (Object r : list(map(json).get("results"))) {
                    Map<String, Object> result = map(r);
                    String cfg = (String) result.get("command");
                    List<Double> times = new ArrayList<>();
                    for (Object t : list(result.get("times"))) {
                        times.add(((Number) t).doubleValue());
                    }
                    data.computeIfAbsent(m.group(1), k -> new TreeMap<>())
                            .computeIfAbsent(m.group(2), k -> new LinkedHashMap<>())
                            .computeIfAbsent(cfg, k -> new ArrayList<>()).addAll(times);
                }
            }
        }
        Map<String, String> classes = new LinkedHashMap<>();
        Path classFile = dir.resolve("classes.txt");
        if (Files.exists(classFile)) {
            for (String line : Files.readAllLines(classFile)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 4) {
                    classes.put(f[0] + " " + f[1] + " " + f[2], f[3].replace("classes=", ""));
                }
            }
        }

        StringBuilder out = new StringBuilder();
        out.append("| JDK | app | config | runs | median ms (IQR) | mean ± sd ms | classes loaded | added ms (95% CI) |\n");
        out.append("|---|---|---|---:|---:|---:|---:|---:|\n");
        StringBuilder verdicts = new StringBuilder();
        verdicts.append("| JDK | app | heapguard adds (ms) | OTel adds (ms) | heapguard ÷ OTel | ≤ 150 ms | ≤ 1/5 of OTel |\n");
        verdicts.append("|---|---|---:|---:|---:|---|---|\n");
        Random random = new Random(42);
        for (var jdk : data.entrySet()) {
            for (var app : jdk.getValue().entrySet()) {
                Map<String, List<Double>> cfgs = app.getValue();
                double[] bare = ms(cfgs.get("bare"));
                for (String cfg : List.of("bare", "heapguard", "otel")) {
                    double[] t = ms(cfgs.get(cfg));
                    if (t == null) {
                        continue;
                    }
                    String added = "—";
                    if (!cfg.equals("bare") && bare != null) {
                        double[] ci = bootstrapDiff(t, bare, random);
                        added = String.format(Locale.ROOT, "%+.0f (%+.0f … %+.0f)", median(t) - median(bare), ci[0], ci[1]);
                    }
                    out.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.0f (%.0f–%.0f) | %.0f ± %.0f | %s | %s |%n",
                            jdk.getKey(), app.getKey(), cfg, t.length, median(t), quantile(t, 0.25), quantile(t, 0.75),
                            mean(t), sd(t), classes.getOrDefault("jdk" + jdk.getKey() + " " + app.getKey() + " " + cfg, "?"),
                            added));
                }
                double[] hg = ms(cfgs.get("heapguard"));
                double[] otel = ms(cfgs.get("otel"));
                if (bare != null && hg != null && otel != null) {
                    double hgAdded = median(hg) - median(bare);
                    double otelAdded = median(otel) - median(bare);
                    double[] share = bootstrapShare(hg, otel, bare, random);
                    double[] hgCi = bootstrapDiff(hg, bare, random);
                    verdicts.append(String.format(Locale.ROOT, "| %s | %s | %+.0f (%+.0f … %+.0f) | %+.0f | %.3f (%.3f … %.3f) | %s | %s |%n",
                            jdk.getKey(), app.getKey(), hgAdded, hgCi[0], hgCi[1], otelAdded, hgAdded / otelAdded,
                            share[0], share[1], hgAdded <= TARGET_ADDED_MS ? "**met**" : "**MISSED**",
                            hgAdded <= TARGET_SHARE_OF_OTEL * otelAdded ? "**met**" : "**MISSED**"));
                }
            }
        }
        System.out.println("### Start-up: whole-process wall time (hyperfine; rounds pooled)");
        System.out.println();
        System.out.print(out);
        System.out.println();
        System.out.println("Added = median(config) − median(bare); 95% intervals by bootstrap (" + BOOTSTRAP
                + " resamples of each configuration's runs).");
        System.out.println();
        System.out.println("### Start-up targets");
        System.out.println();
        System.out.print(verdicts);
    }

    private static double[] ms(List<Double> seconds) {
        if (seconds == null || seconds.isEmpty()) {
            return null;
        }
        double[] a = new double[seconds.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = seconds.get(i) * 1000;
        }
        Arrays.sort(a);
        return a;
    }

    static double median(double[] sorted) {
        return quantile(sorted, 0.5);
    }

    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double d : a) {
            s += d;
        }
        return s / a.length;
    }

    private static double sd(double[] a) {
        double m = mean(a);
        double s = 0;
        for (double d : a) {
            s += (d - m) * (d - m);
        }
        return Math.sqrt(s / (a.length - 1));
    }

    private static double[] resample(double[] a, Random r) {
        double[] b = new double[a.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = a[r.nextInt(a.length)];
        }
        Arrays.sort(b);
        return b;
    }

    /** 95% bootstrap interval of median(a) − median(b). */
    private static double[] bootstrapDiff(double[] a, double[] b, Random r) {
        double[] d = new double[BOOTSTRAP];
        for (int i = 0; i < BOOTSTRAP; i++) {
            d[i] = median(resample(a, r)) - median(resample(b, r));
        }
        Arrays.sort(d);
        return new double[] {quantile(d, 0.025), quantile(d, 0.975)};
    }

    /** 95% bootstrap interval of (median(hg) − median(bare)) ÷ (median(otel) − median(bare)). */
    private static double[] bootstrapShare(double[] hg, double[] otel, double[] bare, Random r) {
        double[] d = new double[BOOTSTRAP];
        for (int i = 0; i < BOOTSTRAP; i++) {
            double b = median(resample(bare, r));
            d[i] = (median(resample(hg, r)) - b) / (median(resample(otel, r)) - b);
        }
        Arrays.sort(d);
        return new double[] {quantile(d, 0.025), quantile(d, 0.975)};
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    /** Just enough JSON for hyperfine's export: objects, arrays, strings, numbers, true/false/null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skip();
                    if (s.charAt(i) == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        skip();
                        String k = string();
                        skip();
                        expect(':');
                        m.put(k, value());
                        skip();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect('}');
                            return m;
                        }
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    skip();
                    if (s.charAt(i) == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        skip();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect(']');
                            return l;
                        }
                    }
                }
                case '"':
                    return string();
                default:
                    if (s.startsWith("true", i)) {
                        i += 4;
                        return Boolean.TRUE;
                    }
                    if (s.startsWith("false", i)) {
                        i += 5;
                        return Boolean.FALSE;
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    return Double.parseDouble(s.substring(start, i));
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }
    }
}

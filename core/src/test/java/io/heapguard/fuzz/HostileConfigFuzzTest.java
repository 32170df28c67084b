package io.heapguard.fuzz;

import io.heapguard.config.ConfigException;
import io.heapguard.config.ConfigLoader;
import io.heapguard.config.ConfigSources;
import io.heapguard.config.Durations;
import io.heapguard.config.Globs;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.config.RuleConfig;
import io.heapguard.config.ScopeConfig;
import io.heapguard.config.Sizes;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #8, item 5, the part {@code config/ConfigFuzzTest} does not cover: inputs that are not built from the
 * known keys but are hostile bytes and characters, and mutations of valid configurations at the byte level.
 * Seeded, so a failure names a reproducible round. Every input must either load into a configuration that
 * satisfies every invariant the ledger relies on (and that a ledger accepts) or fail with one
 * {@link ConfigException} whose message is one non-empty line naming a source and a key; loading the same
 * input twice must give the same outcome; no input may take longer than a second. Nothing else may escape:
 * no other exception, no error, no hang.
 */
class HostileConfigFuzzTest {
    private static final long SEED = 0x8e11_ab1e_5eedL;
    private static final long HEAP = 256L << 20;
    /** Characters that mean something to one of the parsers, and some that only look as if they did. */
    private static final String ALPHABET = "=,:#!\\ \t\n\r%.-_*?$0123456789kKmMgGtTbBnNoOeErRuUlLfFaAcCsS"
            + "\u00a0\u2028\ufeff\u0000\u00e9\u0661\uff11\ud800";
    private static final String[] KEYS = {"mode", "heap.reserve", "global.limit", "track.min", "arrays.min",
            "arrays.include", "arrays.exclude", "health.window", "health.max-refusal-rate", "health.min-headroom",
            "log.max-per-minute", "notify.max-per-second", "config", "rule.up.targets", "rule.up.callers",
            "rule.up.max-buffer", "rule.up.limit", "scope.s.entry", "scope.s.limit"};
    private static final String[] VALID_FILES = {
            "mode=enforce\nheap.reserve=10%\n\n# uploads\nrule.upload.targets=ByteArrayOutputStream,ByteBuffer.allocate\n"
                    + "rule.upload.callers=com.example.upload.*\nrule.upload.max-buffer=64m\nrule.upload.limit=512m\n",
            "global.limit=1g\ntrack.min=64k\nrule.direct.targets=ByteBuffer.allocateDirect\nrule.direct.limit=256m\n",
            "scope.req.entry=com.example.Handler#handle\nscope.req.limit=64m\nhealth.window=60s\n"
                    + "health.max-refusal-rate=1.5\nlog.max-per-minute=60\nnotify.max-per-second=10\n",
            "rule.all.targets=*\nrule.all.max-buffer=25%\narrays.min=1m\narrays.include=com.example.*\n"};
    private static final String[] VALID_ARGS = {
            "rule.up.targets=ByteArrayOutputStream,StringBuilder,rule.up.max-buffer=16m",
            "mode=monitor,heap.reserve=5%,global.limit=none",
            "rule.d.targets=ByteBuffer.allocateDirect,rule.d.limit=48m,log.max-per-minute=5"};

    @TempDir
    Path dir;

    @Test
    void hostileRulesFilesLoadOrFailWithOneLine() throws Exception {
        Random r = new Random(SEED);
        Path file = dir.resolve("hostile.properties");
        int loaded = 0;
        int failed = 0;
        for (int round = 0; round < 12_000; round++) {
            byte[] bytes;
            switch (round % 4) {
                case 0:
                    bytes = randomBytes(r, r.nextInt(200));
                    break;
                case 1:
                    bytes = fromAlphabet(r, r.nextInt(300)).getBytes(StandardCharsets.UTF_8);
                    break;
                case 2:
                    bytes = linesOfKeys(r).getBytes(r.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
                    break;
                default:
                    String valid = VALID_FILES[r.nextInt(VALID_FILES.length)];
                    bytes = r.nextBoolean() ? mutate(r, valid.getBytes(StandardCharsets.UTF_8))
                            : reshuffle(r, valid).getBytes(StandardCharsets.UTF_8);
            }
            Files.write(file, bytes);
            String what = "round " + round + ", file bytes " + hex(bytes);
            if (check(new ConfigSources("config=" + file, Map.of(), Map.of(), HEAP), what, file)) {
                loaded++;
            } else {
                failed++;
            }
        }
        System.out.println("hostile rules files: " + loaded + " loaded, " + failed + " rejected with one line");
        assertTrue(loaded > 1_000 && failed > 1_000, "loaded " + loaded + ", failed " + failed);
    }

    @Test
    void hostileAgentArgumentsPropertiesAndEnvironmentLoadOrFailWithOneLine() {
        Random r = new Random(SEED + 1);
        int loaded = 0;
        int failed = 0;
        for (int round = 0; round < 12_000; round++) {
            String args;
            Map<String, String> sys = new HashMap<>();
            Map<String, String> env = new HashMap<>();
            switch (round % 4) {
                case 0:
                    args = fromAlphabet(r, r.nextInt(120));
                    break;
                case 1:
                    args = pairs(r);
                    break;
                case 2:
                    args = new String(mutate(r, VALID_ARGS[r.nextInt(VALID_ARGS.length)].getBytes(StandardCharsets.UTF_8)),
                            StandardCharsets.UTF_8);
                    break;
                default:
                    args = r.nextBoolean() ? null : "";
                    for (int i = r.nextInt(4); i > 0; i--) {
                        String key = KEYS[r.nextInt(KEYS.length)];
                        String value = r.nextInt(3) == 0 ? fromAlphabet(r, r.nextInt(12)) : plausibleValue(r);
                        if (r.nextBoolean()) {
                            sys.put(r.nextInt(8) == 0 ? fromAlphabet(r, 8) : "heapguard." + key, value);
                        } else {
                            env.put(r.nextInt(8) == 0 ? "HEAPGUARD_" + fromAlphabet(r, 6)
                                    : "HEAPGUARD_" + key.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT),
                                    value);
                        }
                    }
            }
            if (args != null && args.length() > 0 && r.nextInt(50) == 0) {
                args = args + "," + args; // keys given twice
            }
            String what = "round " + round + ", agent argument " + quote(args) + ", sys " + quote(String.valueOf(sys))
                    + ", env " + quote(String.valueOf(env));
            if (check(new ConfigSources(args, sys, env, HEAP), what, null)) {
                loaded++;
            } else {
                failed++;
            }
        }
        System.out.println("hostile agent arguments, properties, environment: " + loaded + " loaded, " + failed
                + " rejected with one line");
        assertTrue(loaded > 1_000 && failed > 1_000, "loaded " + loaded + ", failed " + failed);
    }

    @Test
    void valueParsersAcceptOrRejectWithIllegalArgumentOnly() {
        Random r = new Random(SEED + 2);
        for (int round = 0; round < 20_000; round++) {
            String s = round % 2 == 0 ? fromAlphabet(r, r.nextInt(24)) : plausibleValue(r);
            String what = "round " + round + ", " + quote(s);
            try {
                long v = Sizes.parse(s, HEAP);
                assertTrue(v >= 0, what);
            } catch (IllegalArgumentException e) {
                oneLine(e.getMessage(), what);
            }
            try {
                long v = Sizes.parseLimit(s, HEAP);
                assertTrue(v >= -1, what);
            } catch (IllegalArgumentException e) {
                oneLine(e.getMessage(), what);
            }
            try {
                Duration d = Durations.parse(s);
                assertTrue(!d.isNegative() && !d.isZero(), what);
                d.toMillis(); // must not overflow
            } catch (IllegalArgumentException e) {
                oneLine(e.getMessage(), what);
            }
            try {
                assertNotNull(Mode.parse(s));
            } catch (IllegalArgumentException e) {
                oneLine(e.getMessage(), what);
            }
            String problem = Globs.problem(s); // a glob is fine (null) or has a problem, which a ConfigException
            assertTrue(problem == null || !problem.isBlank(), what); // turns into one line

        }
    }

    /**
     * Loads twice; checks the outcome.
     *
     * @return true when it loaded
     */
    private static boolean check(ConfigSources sources, String what, Path file) {
        long start = System.nanoTime();
        Object first = outcome(sources, what);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1_000, () -> "took " + millis + " ms: " + what);
        Object second = outcome(sources, what);
        if (first instanceof HeapGuardConfig) {
            assertEquals(first, second, () -> "not deterministic: " + what);
            HeapGuardConfig c = (HeapGuardConfig) first;
            consistent(c, what);
            // the ledger takes it as it is, and decides about a growth without failing
            Ledger l = Ledger.standalone(c, Platform.NONE);
            assertNotNull(l.control().mode(), what);
            return true;
        }
        ConfigException e = (ConfigException) first;
        assertEquals(e.getMessage(), ((ConfigException) second).getMessage(), () -> "not deterministic: " + what);
        oneLine(e.getMessage(), what);
        assertNotNull(e.source(), () -> "no source: " + e.getMessage() + " for " + what);
        assertNotNull(e.key(), () -> "no key: " + e.getMessage() + " for " + what);
        assertTrue(e.source().equals("agent argument") || e.source().startsWith("system property heapguard.")
                        || e.source().startsWith("environment variable HEAPGUARD_")
                        || (file != null && e.source().startsWith("file " + file)),
                () -> "unexpected source '" + e.source() + "' for " + what);
        return false;
    }

    private static Object outcome(ConfigSources sources, String what) {
        try {
            return ConfigLoader.load(sources);
        } catch (ConfigException e) {
            return e;
        } catch (Throwable t) {
            return fail("threw " + t + " for " + what, t);
        }
    }

    private static void consistent(HeapGuardConfig c, String what) {
        assertNotNull(c.mode(), what);
        assertTrue(c.heapReserveBytes() >= 0 && c.heapReserveBytes() <= HEAP, () -> "heap.reserve from " + what);
        assertTrue(c.trackMinBytes() >= 0 && c.arraysMinBytes() >= 0 && c.healthMinHeadroomBytes() >= 0, what);
        assertTrue(c.globalLimitBytes() >= -1, what);
        assertTrue(c.healthWindow().compareTo(Duration.ZERO) > 0, what);
        assertTrue(Double.isFinite(c.healthMaxRefusalsPerSecond()) && c.healthMaxRefusalsPerSecond() >= 0, what);
        assertTrue(c.logMaxPerMinute() >= 0 && c.notifyMaxPerSecond() >= 0, what);
        for (RuleConfig rule : c.rules()) {
            assertTrue(rule.name().matches("[A-Za-z0-9_-]+"), () -> "rule name '" + rule.name() + "' from " + what);
            assertTrue(rule.maxBufferBytes() >= -1 && rule.limitBytes() >= -1, what);
            assertFalse(rule.targets().isEmpty(), what);
            for (String t : rule.targets()) {
                assertTrue("*".equals(t) || GrowthPoint.byTargetName(t) != null, () -> "target " + t + " from " + what);
            }
            for (String g : rule.callers()) {
                assertEquals(null, Globs.problem(g), what);
            }
        }
        for (ScopeConfig s : c.scopes()) {
            assertTrue(s.limitBytes() >= 0, what);
            assertFalse(s.className().isEmpty() || s.methodName().isEmpty(), what);
        }
    }

    private static void oneLine(String m, String what) {
        assertNotNull(m, () -> "null message for " + what);
        assertFalse(m.isBlank(), () -> "blank message for " + what);
        for (char c : m.toCharArray()) {
            assertFalse(c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085',
                    () -> "not one line: " + quote(m) + " for " + what);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // generators

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String fromAlphabet(Random r, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    private static String plausibleValue(Random r) {
        switch (r.nextInt(10)) {
            case 0:
                return Long.toString(r.nextLong());
            case 1:
                return r.nextInt(2000) + "%";
            case 2:
                return (r.nextInt(100) + r.nextDouble()) + "%";
            case 3:
                return r.nextInt(1 << 30) + "kmgtKMGT".substring(r.nextInt(8)).substring(0, 1);
            case 4:
                return "9223372036854775807" + (r.nextBoolean() ? "" : "k");
            case 5:
                return r.nextInt(100_000) + new String[] {"ms", "s", "m", "h", "d", ""}[r.nextInt(6)];
            case 6:
                return new String[] {"none", "NONE", "enforce", "monitor", "off", "*", "com.example.*"}[r.nextInt(7)];
            case 7:
                return GrowthPoint.values()[r.nextInt(GrowthPoint.values().length)].targetName()
                        + (r.nextBoolean() ? "," + GrowthPoint.values()[r.nextInt(GrowthPoint.values().length)].targetName() : "");
            case 8:
                return "com.example.Handler#handle";
            default:
                return Integer.toString(r.nextInt(1 << 20));
        }
    }

    private static String pairs(Random r) {
        List<String> parts = new ArrayList<>();
        for (int i = r.nextInt(6); i >= 0; i--) {
            String key = r.nextInt(10) == 0 ? fromAlphabet(r, r.nextInt(10)) : KEYS[r.nextInt(KEYS.length)];
            String value = r.nextInt(5) == 0 ? fromAlphabet(r, r.nextInt(10)) : plausibleValue(r);
            parts.add(r.nextInt(20) == 0 ? value : key + new String[] {"=", " = ", "==", ":"}[r.nextInt(4)] + value);
        }
        return String.join(r.nextInt(20) == 0 ? ",," : ",", parts);
    }

    private static String linesOfKeys(Random r) {
        StringBuilder sb = new StringBuilder();
        if (r.nextInt(10) == 0) {
            sb.append('\ufeff');
        }
        for (int i = r.nextInt(8); i >= 0; i--) {
            String key = r.nextInt(10) == 0 ? fromAlphabet(r, r.nextInt(10)) : KEYS[r.nextInt(KEYS.length)];
            String value = r.nextInt(5) == 0 ? fromAlphabet(r, r.nextInt(16)) : plausibleValue(r);
            if (r.nextInt(10) == 0) {
                value = value + "\\\n  " + plausibleValue(r); // a continuation line
            }
            if (r.nextInt(15) == 0) {
                value = value + "\\u00" + fromAlphabet(r, 2); // a broken or valid escape
            }
            sb.append(key).append(new String[] {"=", ":", " ", "\t", " = "}[r.nextInt(5)]).append(value)
                    .append(new String[] {"\n", "\r\n", "\r"}[r.nextInt(3)]);
        }
        if (r.nextInt(20) == 0) {
            sb.append("x".repeat(r.nextInt(100_000))); // one very long line
        }
        return sb.toString();
    }

    /** The lines of a valid file in another order, some left out, separators and blanks varied. */
    private static String reshuffle(Random r, String valid) {
        List<String> lines = new ArrayList<>(List.of(valid.split("\n")));
        java.util.Collections.shuffle(lines, r);
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            if (r.nextInt(6) == 0) {
                continue;
            }
            String l = r.nextInt(4) == 0 ? "  " + line.replaceFirst("=", " : ") + "\t" : line;
            sb.append(l).append(new String[] {"\n", "\r\n", "\r"}[r.nextInt(3)]);
        }
        return sb.toString();
    }

    private static byte[] mutate(Random r, byte[] in) {
        byte[] b = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0:
                    b[at] = (byte) r.nextInt(256);
                    break;
                case 1:
                    b[at] = (byte) ALPHABET.charAt(r.nextInt(40));
                    break;
                case 2: {
                    byte[] n = new byte[b.length - 1];
                    System.arraycopy(b, 0, n, 0, at);
                    System.arraycopy(b, at + 1, n, at, b.length - at - 1);
                    b = n;
                    break;
                }
                default: {
                    byte[] n = new byte[b.length + 1];
                    System.arraycopy(b, 0, n, 0, at);
                    n[at] = (byte) ALPHABET.charAt(r.nextInt(40));
                    System.arraycopy(b, at, n, at + 1, b.length - at);
                    b = n;
                }
            }
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length && i < 400; i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.append(b.length > 400 ? "...(" + b.length + " bytes)" : "").toString();
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 400; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.append(s.length() > 400 ? "...\"" : "\"").toString();
    }
}

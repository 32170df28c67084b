package io.heapguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.heapguard.ledger.GrowthPoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random configurations mixing valid and invalid keys and values in all four sources: each
 * either loads into a consistent configuration or fails with a {@link ConfigException} whose message is
 * one non-empty line naming its source; never anything else.
 */
class ConfigFuzzTest {
    private static final long SEED = 0x6ea9_1c0d_2024L;
    private static final int ROUNDS = 12_000;
    private static final long HEAP = 512L << 20;

    private static final String[] FIXED = {"mode", "heap.reserve", "global.limit", "track.min", "arrays.min",
            "arrays.include", "arrays.exclude", "health.window", "health.max-refusal-rate", "health.min-headroom",
            "log.max-per-minute", "notify.max-per-second"};
    private static final String[] RULE_SUFFIXES = {"targets", "callers", "max-buffer", "limit"};
    private static final String[] SCOPE_SUFFIXES = {"entry", "limit"};
    private static final String[] NAMES = {"up", "Up", "a-b", "a_b", "x1", "upload", "UPLOAD", "r"};
    /** Names no two of which the environment could confuse. */
    private static final String[] CLEAN_NAMES = {"up", "a-b", "x1", "upload", "r"};
    private static final String[] BAD_NAMES = {"", "a.b", "a b", "\u00e9", "*", "a/b"};
    private static final String[] HOSTILE = {"", " ", "\t", "-1", "+1", "-0", "0x10", "1e3", "NaN", "Infinity",
            "none", "NONE", "%", "101%", "100.0001%", "-5%", "\u0661\u0662", "\uff11\uff12k", "\u0966%",
            "99999999999999999999", "9223372036854775808", "8388608t", "12q", "1.5g", "64kb", "1 k", "\n",
            "a\nb", "\r", "\u0000", "\u2028", "\\u12", "\\", "#", "!", "=", ":", ",", ",,", "a,", ",a", "*",
            "?", "a..b", ".a", "a.", "a#b#c", "#m", "a.B#", "1a.B#c", "\ud800", "\ufeff", "\u00a0", "ms", "0s",
            "99999999999999h", "2147483648", "1.5", "1.", ".5", "enforce ", " MONITOR", "Off", "sometimes"};

    @TempDir
    Path dir;

    @Test
    void everyInputLoadsOrFailsWithOneLineMessage() throws Exception {
        Random random = new Random(SEED);
        Path file = dir.resolve("fuzz.properties");
        int loaded = 0;
        int failed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Input in = generate(random, file);
            if (in.fileText != null) {
                Files.write(file, in.fileText.getBytes(in.latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
            } else {
                Files.deleteIfExists(file);
            }
            try {
                HeapGuardConfig c = ConfigLoader.load(new ConfigSources(in.agentArgs, in.sys, in.env, HEAP));
                checkConsistent(c, in);
                loaded++;
            } catch (ConfigException e) {
                String m = e.getMessage();
                assertNotNull(m, () -> "null message for " + in);
                assertFalse(m.isBlank(), () -> "blank message for " + in);
                assertFalse(m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0 || m.indexOf('\u2028') >= 0
                        || m.indexOf('\u2029') >= 0 || m.indexOf('\u0085') >= 0, () -> "not one line: " + m + " for " + in);
                assertNotNull(e.source(), () -> "no source: " + m);
                assertNotNull(e.key(), () -> "no key: " + m);
                assertTrue(e.source().equals("agent argument") || e.source().startsWith("system property heapguard.")
                                || e.source().startsWith("environment variable HEAPGUARD_")
                                || e.source().startsWith("file " + file + " line "),
                        () -> "unexpected source '" + e.source() + "' for " + in);
                failed++;
            } catch (Throwable t) {
                fail("round " + round + " threw " + t + " for " + in, t);
            }
        }
        // the generator must exercise both outcomes substantially
        assertTrue(loaded > ROUNDS / 10, "only " + loaded + " inputs loaded");
        assertTrue(failed > ROUNDS / 10, "only " + failed + " inputs failed");
        assertEquals(ROUNDS, loaded + failed);
    }

    private static void checkConsistent(HeapGuardConfig c, Input in) {
        assertNotNull(c.mode());
        assertTrue(c.heapReserveBytes() >= 0 && c.trackMinBytes() >= 0 && c.arraysMinBytes() >= 0
                && c.healthMinHeadroomBytes() >= 0, () -> "negative size from " + in);
        assertTrue(c.globalLimitBytes() >= -1);
        assertTrue(c.healthWindow().toMillis() > 0 || c.healthWindow().getSeconds() > 0);
        assertTrue(c.healthMaxRefusalsPerSecond() >= 0 && !Double.isNaN(c.healthMaxRefusalsPerSecond())
                && !Double.isInfinite(c.healthMaxRefusalsPerSecond()));
        assertTrue(c.logMaxPerMinute() >= 0 && c.notifyMaxPerSecond() >= 0);
        String previous = null;
        for (RuleConfig r : c.rules()) {
            assertTrue(previous == null || previous.compareTo(r.name()) < 0, () -> "rules not sorted: " + c.rules());
            previous = r.name();
            assertTrue(r.maxBufferBytes() >= -1 && r.limitBytes() >= -1);
            assertFalse(r.targets().isEmpty());
            for (String t : r.targets()) {
                assertTrue("*".equals(t) || GrowthPoint.byTargetName(t) != null, t);
            }
            for (String g : r.callers()) {
                assertEquals(null, Globs.problem(g));
            }
        }
        previous = null;
        for (ScopeConfig s : c.scopes()) {
            assertTrue(previous == null || previous.compareTo(s.name()) < 0, () -> "scopes not sorted: " + c.scopes());
            previous = s.name();
            assertTrue(s.limitBytes() >= 0);
            assertFalse(s.className().isEmpty() || s.methodName().isEmpty());
        }
        if (c.file() != null) {
            assertTrue(c.file().isAbsolute());
        }
    }

    /** One generated configuration. */
    private static final class Input {
        String agentArgs;
        Map<String, String> sys = new HashMap<>();
        Map<String, String> env = new HashMap<>();
        String fileText;
        boolean latin1;

        @Override
        public String toString() {
            return "agent=" + escape(agentArgs) + " sys=" + escape(String.valueOf(sys)) + " env="
                    + escape(String.valueOf(env)) + " file=" + escape(fileText);
        }
    }

    private static Input generate(Random r, Path file) {
        Input in = new Input();
        // about half the inputs use only valid keys and values (they may still conflict across sources)
        boolean clean = r.nextBoolean();
        // where the file is named, if anywhere
        int configWhere = r.nextInt(6); // 0 agent, 1 sys, 2 env, 3+ nowhere
        String configValue = clean ? file.toString()
                : r.nextInt(20) == 0 ? file.resolveSibling("missing.properties").toString()
                : r.nextInt(40) == 0 ? file.getParent().toString() : file.toString();
        if (configWhere <= 2) {
            in.fileText = fileText(r, clean);
            in.latin1 = r.nextInt(10) == 0;
        }
        // agent argument
        if (r.nextInt(3) > 0 || configWhere == 0) {
            List<String> pairs = new ArrayList<>();
            if (configWhere == 0) {
                pairs.add("config=" + configValue);
            }
            int n = r.nextInt(4);
            java.util.Set<String> used = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                for (String[] kv : pairs(r, clean)) {
                    if (clean && !used.add(kv[0])) {
                        continue;
                    }
                    pairs.add(!clean && r.nextInt(30) == 0 ? kv[1] : kv[0] + (r.nextBoolean() ? "=" : " = ") + kv[1]);
                }
            }
            java.util.Collections.shuffle(pairs, r);
            in.agentArgs = String.join(",", pairs);
            if (!clean && r.nextInt(25) == 0) {
                in.agentArgs = in.agentArgs + ",";
            }
        }
        // system properties
        if (configWhere == 1) {
            in.sys.put("heapguard.config", configValue);
        }
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            for (String[] kv : pairs(r, clean)) {
                in.sys.put(!clean && r.nextInt(30) == 0 ? kv[0] : "heapguard." + kv[0], kv[1]);
            }
        }
        if (r.nextInt(10) == 0) {
            in.sys.put("java.version", "17");
        }
        // environment
        if (configWhere == 2) {
            in.env.put("HEAPGUARD_CONFIG", configValue);
        }
        n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
            for (String[] kv : pairs(r, clean)) {
                String var = "HEAPGUARD_" + kv[0].replace('.', '_').replace('-', '_');
                in.env.put(clean || r.nextInt(3) > 0 ? var.toUpperCase(java.util.Locale.ROOT) : var, kv[1]);
            }
        }
        if (r.nextInt(10) == 0) {
            in.env.put("PATH", "/usr/bin");
        }
        return in;
    }

    private static String fileText(Random r, boolean clean) {
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> used = new java.util.HashSet<>();
        if (r.nextInt(20) == 0) {
            sb.append('\ufeff');
        }
        int lines = r.nextInt(6);
        for (int i = 0; i < lines; i++) {
            switch (r.nextInt(12)) {
                case 0:
                    sb.append("# a comment ").append(pick(r, HOSTILE));
                    break;
                case 1:
                    sb.append("! another");
                    break;
                case 2:
                    break; // blank line
                case 3:
                    sb.append("   ");
                    break;
                default:
                    String[] kv = pair(r, clean);
                    if (clean && !used.add(kv[0])) {
                        break;
                    }
                    String sep = pick(r, new String[] {"=", " = ", ":", " ", "\t", "  :  "});
                    String value = kv[1];
                    if (r.nextInt(8) == 0 && value.length() > 1) {
                        int cut = 1 + r.nextInt(value.length() - 1);
                        value = value.substring(0, cut) + "\\\n    " + value.substring(cut);
                    }
                    if (r.nextInt(10) == 0) {
                        value = value + "\\u0020";
                    }
                    sb.append(kv[0].replace(" ", "\\ ")).append(sep).append(value);
            }
            sb.append(pick(r, new String[] {"\n", "\n", "\n", "\r\n", "\r"}));
        }
        return sb.toString();
    }

    /**
     * One or more pairs: a pair, and for a clean rule or scope what completes it (a limit, an entry).
     */
    private static List<String[]> pairs(Random r, boolean clean) {
        List<String[]> out = new ArrayList<>();
        String[] kv = pair(r, clean);
        out.add(kv);
        if (clean && (kv[0].startsWith("rule.") || kv[0].startsWith("scope.")) && !kv[0].endsWith(".limit")) {
            String group = kv[0].substring(0, kv[0].lastIndexOf('.'));
            out.add(new String[] {group + ".limit", size(r)});
            if (kv[0].startsWith("scope.")) {
                return out;
            }
        }
        if (clean && kv[0].startsWith("scope.") && kv[0].endsWith(".limit")) {
            String group = kv[0].substring(0, kv[0].lastIndexOf('.'));
            out.add(new String[] {group + ".entry", validValue(r, "scope.entry")});
        }
        if (clean && kv[0].startsWith("rule.") && kv[0].endsWith(".limit") && "none".equals(kv[1])) {
            kv[1] = size(r);
        }
        return out;
    }

    /** A key and value: mostly valid, sometimes not, in either part; always valid when clean. */
    private static String[] pair(Random r, boolean clean) {
        String key;
        String suffix;
        int kind = clean ? r.nextInt(9) : r.nextInt(10);
        if (kind < 4) {
            key = pick(r, FIXED);
            suffix = key;
        } else if (kind < 8) {
            suffix = pick(r, RULE_SUFFIXES);
            key = "rule." + (clean ? pick(r, CLEAN_NAMES) : r.nextInt(15) == 0 ? pick(r, BAD_NAMES) : pick(r, NAMES))
                    + "." + suffix;
            suffix = "rule." + suffix;
        } else if (kind < 9) {
            suffix = pick(r, SCOPE_SUFFIXES);
            key = "scope." + (clean ? pick(r, CLEAN_NAMES) : r.nextInt(15) == 0 ? pick(r, BAD_NAMES) : pick(r, NAMES))
                    + "." + suffix;
            suffix = "scope." + suffix;
        } else {
            key = pick(r, new String[] {"config", "heap.reserv", "Mode", "rules.x.limit", "rule.x", "colour", "",
                    "heapguard.mode", "rule.x.maxbuffer", "scope.x", "track_min"});
            suffix = "mode";
        }
        if (clean) {
            return new String[] {key, validValue(r, suffix)};
        }
        if (r.nextInt(25) == 0) {
            key = mutate(r, key);
        }
        String value = r.nextInt(6) == 0 ? pick(r, HOSTILE) : validValue(r, suffix);
        if (r.nextInt(30) == 0) {
            value = mutate(r, value);
        }
        return new String[] {key, value};
    }

    private static String validValue(Random r, String type) {
        switch (type) {
            case "mode":
                return pick(r, new String[] {"enforce", "monitor", "off", "MONITOR"});
            case "global.limit":
            case "rule.max-buffer":
            case "rule.limit":
                return r.nextInt(4) == 0 ? "none" : size(r);
            case "arrays.include":
            case "arrays.exclude":
            case "rule.callers":
                return pick(r, new String[] {"", "*", "com.example.*", "com.example.*, org.?oo$Bar", "a.b.C"});
            case "rule.targets":
                GrowthPoint[] points = GrowthPoint.values();
                return r.nextInt(3) == 0 ? "*" : points[r.nextInt(points.length)].targetName()
                        + (r.nextBoolean() ? "," + points[r.nextInt(points.length)].targetName() : "");
            case "health.window":
                return (1 + r.nextInt(1000)) + pick(r, new String[] {"ms", "s", "m", "h"});
            case "health.max-refusal-rate":
                return r.nextInt(100) + (r.nextBoolean() ? "." + r.nextInt(100) : "");
            case "log.max-per-minute":
            case "notify.max-per-second":
                return Integer.toString(r.nextInt(1000));
            case "scope.entry":
                return pick(r, new String[] {"com.example.Handler#handle", "a.B$C#run", "X#y"});
            default:
                return size(r);
        }
    }

    private static String size(Random r) {
        switch (r.nextInt(4)) {
            case 0:
                return Long.toString(r.nextInt(1 << 20));
            case 1:
                return r.nextInt(1024) + pick(r, new String[] {"k", "m", "g", "t", "K", "M", "G", "T"});
            case 2:
                return r.nextInt(101) + "%";
            default:
                return r.nextInt(100) + "." + r.nextInt(1000) + "%";
        }
    }

    private static String mutate(Random r, String s) {
        StringBuilder sb = new StringBuilder(s);
        int op = r.nextInt(3);
        int at = sb.length() == 0 ? 0 : r.nextInt(sb.length());
        String chars = "._-=:,#!\\ \n\u00e9\u0661%kKx0";
        char c = chars.charAt(r.nextInt(chars.length()));
        if (op == 0 || sb.length() == 0) {
            sb.insert(at, c);
        } else if (op == 1) {
            sb.deleteCharAt(at);
        } else {
            sb.setCharAt(at, c);
        }
        return sb.toString();
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    private static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}

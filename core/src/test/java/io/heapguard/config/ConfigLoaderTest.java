package io.heapguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    private static final long HEAP = 1L << 30; // 1 GiB: 10% = 107374182, 5% = 53687091

    @TempDir
    Path dir;
    private Path file;

    @BeforeEach
    void setUp() {
        file = dir.resolve("hg.properties").toAbsolutePath();
    }

    // ------------------------------------------------------------------ helpers

    private static ConfigSources sources(String args, Map<String, String> sys, Map<String, String> env) {
        return new ConfigSources(args, sys, env, HEAP);
    }

    private static HeapGuardConfig load(String args, Map<String, String> sys, Map<String, String> env)
            throws ConfigException {
        return ConfigLoader.load(sources(args, sys, env));
    }

    private static HeapGuardConfig load(String args) throws ConfigException {
        return load(args, Map.of(), Map.of());
    }

    private HeapGuardConfig loadFile(String text) throws Exception {
        write(text);
        return load("config=" + file);
    }

    private void write(String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static ConfigException fails(String args, Map<String, String> sys, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(args, sys, env));
        assertOneLine(e.getMessage());
        return e;
    }

    private ConfigException failsFile(String text) throws IOException {
        write(text);
        return fails("config=" + file, Map.of(), Map.of());
    }

    static void assertOneLine(String message) {
        assertFalse(message == null || message.isBlank(), "empty message");
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
    }

    // ------------------------------------------------------------------ defaults

    @Test
    void nothingConfiguredGivesTheDefaults() throws Exception {
        HeapGuardConfig c = load(null);
        assertEquals(ConfigLoader.defaults(HEAP), c);
        assertEquals(Mode.ENFORCE, c.mode());
        assertEquals(HEAP / 10, c.heapReserveBytes());
        assertEquals(-1L, c.globalLimitBytes());
        assertEquals(64L << 10, c.trackMinBytes());
        assertEquals(List.of(), c.rules());
        assertEquals(1L << 20, c.arraysMinBytes());
        assertEquals(List.of("*"), c.arraysInclude());
        assertEquals(List.of(), c.arraysExclude());
        assertEquals(List.of(), c.scopes());
        assertEquals(Duration.ofSeconds(60), c.healthWindow());
        assertEquals(1.0, c.healthMaxRefusalsPerSecond());
        assertEquals(HEAP * 5 / 100, c.healthMinHeadroomBytes());
        assertEquals(60, c.logMaxPerMinute());
        assertEquals(10, c.notifyMaxPerSecond());
        assertNull(c.file());
        assertEquals(c, load("  "));
        assertEquals(c, load(""));
    }

    @Test
    void unrelatedPropertiesAndVariablesAreIgnored() throws Exception {
        HeapGuardConfig c = load(null, Map.of("java.home", "/x", "heapguardx.mode", "bogus", "HEAPGUARD_MODE", "x"),
                Map.of("PATH", "/bin", "HEAPGUARDX", "1", "heapguard_mode", "bogus", "heapguard.mode", "bogus"));
        assertEquals(ConfigLoader.defaults(HEAP), c);
    }

    // ------------------------------------------------------------------ the rules file

    @Test
    void aFullRulesFileIsRead() throws Exception {
        HeapGuardConfig c = loadFile(String.join("\n",
                "# heapguard rules",
                "mode = monitor",
                "heap.reserve = 12.5%",
                "global.limit = 2g",
                "track.min = 32k",
                "rule.zeta.max-buffer = 16m",
                "rule.upload.targets = ByteBuffer.allocate, ByteArrayOutputStream",
                "rule.upload.callers = com.example.upload.*, com.example.Up?oad$Inner",
                "rule.upload.max-buffer = 64m",
                "rule.upload.limit = 25%",
                "rule.Alpha_1.limit : 1t",
                "arrays.min 4m",
                "arrays.include = com.example.*",
                "arrays.exclude = com.example.generated.*,com.example.Big",
                "scope.request.entry = com.example.Handler#handle",
                "scope.request.limit = 64m",
                "scope.batch.entry = com.example.jobs.Batch$Step#run",
                "scope.batch.limit = 1g",
                "health.window = 30s",
                "health.max-refusal-rate = 0.5",
                "health.min-headroom = 128m",
                "log.max-per-minute = 0",
                "notify.max-per-second = 100"));
        assertEquals(Mode.MONITOR, c.mode());
        assertEquals(HEAP / 8, c.heapReserveBytes());
        assertEquals(2L << 30, c.globalLimitBytes());
        assertEquals(32L << 10, c.trackMinBytes());
        assertEquals(List.of(
                new RuleConfig("Alpha_1", List.of("*"), List.of(), -1, 1L << 40),
                new RuleConfig("upload", List.of("ByteBuffer.allocate", "ByteArrayOutputStream"),
                        List.of("com.example.upload.*", "com.example.Up?oad$Inner"), 64L << 20, HEAP / 4),
                new RuleConfig("zeta", List.of("*"), List.of(), 16L << 20, -1)), c.rules());
        assertEquals(4L << 20, c.arraysMinBytes());
        assertEquals(List.of("com.example.*"), c.arraysInclude());
        assertEquals(List.of("com.example.generated.*", "com.example.Big"), c.arraysExclude());
        assertEquals(List.of(
                new ScopeConfig("batch", "com.example.jobs.Batch$Step", "run", 1L << 30),
                new ScopeConfig("request", "com.example.Handler", "handle", 64L << 20)), c.scopes());
        assertEquals(Duration.ofSeconds(30), c.healthWindow());
        assertEquals(0.5, c.healthMaxRefusalsPerSecond());
        assertEquals(128L << 20, c.healthMinHeadroomBytes());
        assertEquals(0, c.logMaxPerMinute());
        assertEquals(100, c.notifyMaxPerSecond());
        assertEquals(file, c.file());
        assertEquals(c.rules().get(1), c.rule("upload"));
    }

    @Test
    void theFileIsNamedByItsAbsoluteNormalizedPath() throws Exception {
        write("mode=off");
        Files.createDirectories(dir.resolve("sub"));
        String roundabout = dir.resolve("sub").resolve("..").resolve("hg.properties").toString();
        HeapGuardConfig c = load(null, Map.of("heapguard.config", roundabout), Map.of());
        assertEquals(file.normalize(), c.file());
        assertTrue(c.file().isAbsolute());
        assertEquals(Mode.OFF, c.mode());
    }

    @Test
    void aRulesFileIsWatchedUnlessConfigWatchIsFalse() throws Exception {
        write("mode=monitor");
        assertFalse(load(null).configWatch(), "no file, nothing to watch");
        assertTrue(load("config=" + file).configWatch());
        assertFalse(load("config=" + file + ",config.watch=false").configWatch());
        assertFalse(load(null, Map.of("heapguard.config", file.toString(), "heapguard.config.watch", "FALSE"),
                Map.of()).configWatch());
        assertFalse(load("config=" + file, Map.of(), Map.of("HEAPGUARD_CONFIG_WATCH", " false ")).configWatch());
    }

    @Test
    void theFileMayBeNamedBySystemPropertyOrEnvironmentWithTheSamePrecedence() throws Exception {
        write("mode=monitor");
        Path other = dir.resolve("other.properties");
        Files.writeString(other, "mode=off");
        assertEquals(Mode.MONITOR, load(null, Map.of(), Map.of("HEAPGUARD_CONFIG", file.toString())).mode());
        assertEquals(Mode.MONITOR, load(null, Map.of("heapguard.config", file.toString()),
                Map.of("HEAPGUARD_CONFIG", other.toString())).mode());
        assertEquals(Mode.OFF, load("config=" + other, Map.of("heapguard.config", file.toString()),
                Map.of("HEAPGUARD_CONFIG", file.toString())).mode());
    }

    @Test
    void aPathWithACommaWorksInTheAgentArgument() throws Exception {
        Path odd = dir.resolve("a,b.properties");
        Files.writeString(odd, "mode=off");
        HeapGuardConfig c = load("config=" + odd + ",heap.reserve=0");
        assertEquals(Mode.OFF, c.mode());
        assertEquals(0L, c.heapReserveBytes());
        assertEquals(odd, c.file());
    }

    @Test
    void utf8Latin1AndByteOrderMarksAreRead() throws Exception {
        Files.write(file, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'm', 'o', 'd', 'e', '=', 'o', 'f', 'f'});
        assertEquals(Mode.OFF, load("config=" + file).mode());
        // a Latin-1 byte that is not UTF-8, in a comment: the file is read as ISO-8859-1
        Files.write(file, new byte[] {'#', (byte) 0xE9, '\n', 'm', 'o', 'd', 'e', '=', 'o', 'f', 'f'});
        assertEquals(Mode.OFF, load("config=" + file).mode());
        Files.writeString(file, "# caf\u00e9 \u20ac\nmode=\\u006donitor\n", StandardCharsets.UTF_8);
        assertEquals(Mode.MONITOR, load("config=" + file).mode());
    }

    @Test
    void anEmptyFileGivesTheDefaults() throws Exception {
        HeapGuardConfig c = loadFile("");
        assertEquals(file, c.file());
        assertEquals(Mode.ENFORCE, c.mode());
    }

    @Test
    void continuationLinesAndEscapesAreUnderstood() throws Exception {
        HeapGuardConfig c = loadFile("rule.up.targets = ByteBuffer.allocate, \\\n"
                + "        ByteArrayOutputStream\n"
                + "rule.up.max-buffer=\\u0036\\u0034k\n");
        assertEquals(List.of("ByteBuffer.allocate", "ByteArrayOutputStream"), c.rule("up").targets());
        assertEquals(64L << 10, c.rule("up").maxBufferBytes());
    }

    @Test
    void errorsNameTheLineOfALogicalLinesFirstPhysicalLine() throws Exception {
        ConfigException e = failsFile("mode=off\n\n# x\nrule.up.targets = ByteBuffer.allocate, \\\n    Nope\n");
        assertEquals("file " + file + " line 4", e.source());
        assertEquals("rule.up.targets", e.key());
        assertEquals("ByteBuffer.allocate, Nope", e.value());
    }

    // ------------------------------------------------------------------ precedence

    /** Every non-empty combination of the four sources: the highest one present wins, for that key only. */
    static Stream<Arguments> sourceCombinations() {
        List<Arguments> out = new ArrayList<>();
        for (int mask = 0; mask < 16; mask++) {
            out.add(Arguments.of((mask & 8) != 0, (mask & 4) != 0, (mask & 2) != 0, (mask & 1) != 0));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "agent={0} sys={1} env={2} file={3}")
    @MethodSource("sourceCombinations")
    void theHighestSourceWinsForEachKey(boolean agent, boolean sys, boolean env, boolean inFile) throws Exception {
        write(inFile ? "heap.reserve=1k\nrule.r.limit=1k\nlog.max-per-minute=1\n" : "log.max-per-minute=1\n");
        List<String> args = new ArrayList<>();
        args.add("config=" + file);
        Map<String, String> sysProps = new HashMap<>();
        Map<String, String> envVars = new HashMap<>();
        if (agent) {
            args.add("heap.reserve=4k");
            args.add("rule.r.limit=4k");
        }
        if (sys) {
            sysProps.put("heapguard.heap.reserve", "3k");
            sysProps.put("heapguard.rule.r.limit", "3k");
        }
        if (env) {
            envVars.put("HEAPGUARD_HEAP_RESERVE", "2k");
            envVars.put("HEAPGUARD_RULE_R_LIMIT", "2k");
        }
        HeapGuardConfig c = load(String.join(",", args), sysProps, envVars);
        long expected = agent ? 4 << 10 : sys ? 3 << 10 : env ? 2 << 10 : inFile ? 1 << 10 : HEAP / 10;
        assertEquals(expected, c.heapReserveBytes());
        if (agent || sys || env || inFile) {
            assertEquals(expected, c.rule("r").limitBytes());
            assertEquals(1, c.rules().size());
        } else {
            assertEquals(List.of(), c.rules());
        }
        assertEquals(1, c.logMaxPerMinute(), "keys no higher source sets come from the file");
    }

    @Test
    void aRulesKeysMergeAcrossSources() throws Exception {
        write("rule.up.targets=ByteBuffer.allocate\nrule.up.max-buffer=1m\nrule.up.limit=1g\nmode=monitor\n");
        HeapGuardConfig c = load("config=" + file + ",rule.up.callers=com.example.*",
                Map.of("heapguard.rule.up.limit", "2g"),
                Map.of("HEAPGUARD_RULE_UP_MAX_BUFFER", "2m", "HEAPGUARD_MODE", "off"));
        assertEquals(List.of(new RuleConfig("up", List.of("ByteBuffer.allocate"), List.of("com.example.*"),
                2L << 20, 2L << 30)), c.rules());
        assertEquals(Mode.OFF, c.mode());
    }

    @Test
    void aHigherSourceMaySetARuleToNone() throws Exception {
        write("rule.up.max-buffer=1m\nrule.up.limit=1g\n");
        HeapGuardConfig c = load("config=" + file + ",rule.up.limit=none");
        assertEquals(new RuleConfig("up", List.of("*"), List.of(), 1L << 20, -1), c.rule("up"));
        HeapGuardConfig neither = load("config=" + file + ",rule.up.limit=none,rule.up.max-buffer=NONE");
        assertTrue(neither.rule("up").accountsOnly());
    }

    @Test
    void aRuleThatSetsNeitherLimitIsValidAndOnlyAccounts() throws Exception {
        write("rule.baos.targets=ByteArrayOutputStream\n");
        HeapGuardConfig c = load("config=" + file);
        assertEquals(new RuleConfig("baos", List.of("ByteArrayOutputStream"), List.of(), -1, -1), c.rule("baos"));
        assertTrue(c.rule("baos").accountsOnly());
        assertFalse(load("rule.capped.max-buffer=1m").rule("capped").accountsOnly());
        assertFalse(load("rule.capped.limit=1m").rule("capped").accountsOnly());
        assertEquals(List.of("com.*"), load(null, Map.of(), Map.of("HEAPGUARD_RULE_UP_CALLERS", "com.*"))
                .rule("up").callers());
    }

    @Test
    void anInvalidValueIsAnErrorEvenWhereAHigherSourceOverridesIt() throws Exception {
        write("mode=sometimes\n");
        ConfigException e = fails("config=" + file + ",mode=off", Map.of(), Map.of());
        assertEquals("file " + file + " line 1: mode = 'sometimes': not a mode (expected enforce, monitor or off)",
                e.getMessage());
    }

    // ------------------------------------------------------------------ agent argument

    @Test
    void aCommaSegmentWithoutEqualsContinuesTheValue() throws Exception {
        HeapGuardConfig c = load("rule.a.targets=ByteBuffer.allocate,ByteArrayOutputStream,mode=monitor,"
                + "rule.a.callers=com.a.*, com.b.* ,rule.a.limit=1m");
        assertEquals(Mode.MONITOR, c.mode());
        assertEquals(new RuleConfig("a", List.of("ByteBuffer.allocate", "ByteArrayOutputStream"),
                List.of("com.a.*", "com.b.*"), -1, 1L << 20), c.rule("a"));
    }

    @Test
    void blanksAroundAgentKeysAndValuesAreIgnored() throws Exception {
        HeapGuardConfig c = load(" mode = monitor , heap.reserve = 1k ");
        assertEquals(Mode.MONITOR, c.mode());
        assertEquals(1024L, c.heapReserveBytes());
    }

    @Test
    void aValueMayContainEquals() throws Exception {
        // only the first '=' of a segment separates; the rest is value (and here, not a size)
        ConfigException e = fails("heap.reserve=1k=2", Map.of(), Map.of());
        assertEquals("heap.reserve", e.key());
        assertEquals("1k=2", e.value());
    }

    // ------------------------------------------------------------------ environment mapping

    @Test
    void fixedKeysMapFromTheEnvironment() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("HEAPGUARD_MODE", "monitor");
        env.put("HEAPGUARD_HEAP_RESERVE", "1k");
        env.put("HEAPGUARD_GLOBAL_LIMIT", "1g");
        env.put("HEAPGUARD_TRACK_MIN", "2k");
        env.put("HEAPGUARD_ARRAYS_MIN", "3k");
        env.put("HEAPGUARD_ARRAYS_INCLUDE", "a.*");
        env.put("HEAPGUARD_ARRAYS_EXCLUDE", "b.*");
        env.put("HEAPGUARD_HEALTH_WINDOW", "5m");
        env.put("HEAPGUARD_HEALTH_MAX_REFUSAL_RATE", "2.5");
        env.put("HEAPGUARD_HEALTH_MIN_HEADROOM", "4k");
        env.put("HEAPGUARD_LOG_MAX_PER_MINUTE", "7");
        env.put("HEAPGUARD_NOTIFY_MAX_PER_SECOND", "8");
        HeapGuardConfig c = load(null, Map.of(), env);
        assertEquals(ConfigLoader.defaults(HEAP).with(Keys.MODE, Mode.MONITOR).with(Keys.HEAP_RESERVE, 1024L)
                .with(Keys.GLOBAL_LIMIT, 1L << 30).with(Keys.TRACK_MIN, 2048L).with(Keys.ARRAYS_MIN, 3072L)
                .with(Keys.ARRAYS_INCLUDE, List.of("a.*")).with(Keys.ARRAYS_EXCLUDE, List.of("b.*"))
                .with(Keys.HEALTH_WINDOW, Duration.ofMinutes(5)).with(Keys.HEALTH_MAX_REFUSAL_RATE, 2.5)
                .with(Keys.HEALTH_MIN_HEADROOM, 4096L).with(Keys.LOG_MAX_PER_MINUTE, 7)
                .with(Keys.NOTIFY_MAX_PER_SECOND, 8), c);
    }

    @Test
    void ruleNamesFromTheEnvironmentMatchRulesNamedElsewhere() throws Exception {
        write("rule.Upload.targets=ByteBuffer.allocate\nrule.my-rule.targets=ByteArrayOutputStream\n"
                + "scope.Req-1.entry=a.B#c\n");
        Map<String, String> env = new HashMap<>();
        env.put("HEAPGUARD_RULE_UPLOAD_MAX_BUFFER", "1m");
        env.put("HEAPGUARD_RULE_MY_RULE_LIMIT", "2m");
        env.put("HEAPGUARD_RULE_FRESH_ONE_LIMIT", "3m");
        env.put("HEAPGUARD_SCOPE_REQ_1_LIMIT", "4m");
        env.put("HEAPGUARD_RULE_SYS_LIMIT", "5m");
        HeapGuardConfig c = load("config=" + file, Map.of("heapguard.rule.Sys.targets", "*"), env);
        assertEquals(List.of("Sys", "Upload", "fresh_one", "my-rule"), names(c.rules()));
        assertEquals(1L << 20, c.rule("Upload").maxBufferBytes());
        assertEquals(List.of("ByteBuffer.allocate"), c.rule("Upload").targets());
        assertEquals(2L << 20, c.rule("my-rule").limitBytes());
        assertEquals(3L << 20, c.rule("fresh_one").limitBytes());
        assertEquals(5L << 20, c.rule("Sys").limitBytes());
        assertEquals(List.of(new ScopeConfig("Req-1", "a.B", "c", 4L << 20)), c.scopes());
    }

    @Test
    void variablesMatchKeysIgnoringCase() throws Exception {
        HeapGuardConfig c = load(null, Map.of(), Map.of("HEAPGUARD_Heap_Reserve", "1k", "HEAPGUARD_rule_x_Limit", "1k"));
        assertEquals(1024L, c.heapReserveBytes());
        assertEquals(1024L, c.rule("x").limitBytes());
    }

    @Test
    void suffixesAreMatchedAtTheEndOfTheVariable() throws Exception {
        // a rule may be called "max" or "limit"; the suffix is the end of the name
        HeapGuardConfig c = load(null, Map.of(), Map.of("HEAPGUARD_RULE_MAX_LIMIT", "1k",
                "HEAPGUARD_RULE_LIMIT_MAX_BUFFER", "2k", "HEAPGUARD_RULE_TARGETS_TARGETS", "ByteArrayOutputStream,ByteBuffer.allocate",
                "HEAPGUARD_RULE_TARGETS_LIMIT", "1"));
        assertEquals(1024L, c.rule("max").limitBytes());
        assertEquals(2048L, c.rule("limit").maxBufferBytes());
        assertEquals(List.of("ByteArrayOutputStream", "ByteBuffer.allocate"), c.rule("targets").targets());
    }

    private static List<String> names(List<RuleConfig> rules) {
        List<String> out = new ArrayList<>();
        for (RuleConfig r : rules) {
            out.add(r.name());
        }
        return out;
    }

    // ------------------------------------------------------------------ values

    @Test
    void targetsAreValidatedThroughTheGrowthPoints() throws Exception {
        assertEquals(List.of("*"), load("rule.a.targets=*,rule.a.limit=1").rule("a").targets());
        assertEquals(List.of("*"), load("rule.a.targets=ByteBuffer.allocate,*,rule.a.limit=1").rule("a").targets());
        assertEquals(List.of("ByteBuffer.allocateDirect"),
                load("rule.a.targets= ByteBuffer.allocateDirect ,ByteBuffer.allocateDirect,rule.a.limit=1")
                        .rule("a").targets());
        for (io.heapguard.ledger.GrowthPoint p : io.heapguard.ledger.GrowthPoint.values()) {
            assertEquals(List.of(p.targetName()),
                    load("rule.a.targets=" + p.targetName() + ",rule.a.limit=1").rule("a").targets());
        }
    }

    @Test
    void emptyGlobListsMeanNone() throws Exception {
        HeapGuardConfig c = load("arrays.include=,arrays.exclude= ,rule.a.callers=,rule.a.limit=0");
        assertEquals(List.of(), c.arraysInclude());
        assertEquals(List.of(), c.arraysExclude());
        assertEquals(List.of(), c.rule("a").callers());
        assertEquals(0L, c.rule("a").limitBytes());
    }

    @Test
    void returnedListsAreImmutable() throws Exception {
        HeapGuardConfig c = load("rule.a.targets=ByteArrayOutputStream,rule.a.limit=1,rule.b.limit=2");
        assertThrows(UnsupportedOperationException.class, () -> c.rules().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.rule("a").targets().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.arraysInclude().clear());
    }

    // ------------------------------------------------------------------ errors, one by one

    static Stream<Arguments> errors() {
        Map<String, String> none = Map.of();
        return Stream.of(
                // agent argument syntax
                Arguments.of("mode", none, none, null,
                        "agent argument: mode: expected key=value pairs separated by commas,"
                                + " e.g. config=/etc/heapguard.properties,mode=monitor"),
                Arguments.of(",mode=off", none, none, null,
                        "agent argument: : expected key=value pairs separated by commas,"
                                + " e.g. config=/etc/heapguard.properties,mode=monitor"),
                Arguments.of("=off", none, none, null,
                        "agent argument: =off: missing key before '='; expected key=value pairs separated by commas"),
                Arguments.of("mode=off,", none, none, null,
                        "agent argument: mode = 'off,': not a mode (expected enforce, monitor or off)"),
                Arguments.of("mode=off,mode=monitor", none, none, null,
                        "agent argument: mode = 'monitor': given twice in the agent argument (first as 'off')"),
                Arguments.of("rule.a.limit=1k,rule.a.limit=1k", none, none, null,
                        "agent argument: rule.a.limit = '1k': given twice in the agent argument (first as '1k')"),
                // unknown keys and did-you-mean, per source
                Arguments.of("heap.reserv=5%", none, none, null,
                        "agent argument: heap.reserv = '5%': unknown key; did you mean 'heap.reserve'?"),
                Arguments.of("Mode=off", none, none, null,
                        "agent argument: Mode = 'off': unknown key; did you mean 'mode'?"),
                Arguments.of("heap_reserve=5%", none, none, null,
                        "agent argument: heap_reserve = '5%': unknown key; did you mean 'heap.reserve'?"),
                Arguments.of("trak.mn=5%", none, none, null,
                        "agent argument: trak.mn = '5%': unknown key; did you mean 'track.min'?"),
                Arguments.of("rule.up.maxbuffer=1m", none, none, null,
                        "agent argument: rule.up.maxbuffer = '1m': unknown key; did you mean 'rule.up.max-buffer'?"),
                Arguments.of("rule.up.limt=1m", none, none, null,
                        "agent argument: rule.up.limt = '1m': unknown key; did you mean 'rule.up.limit'?"),
                Arguments.of("rules.up.limit=1m", none, none, null,
                        "agent argument: rules.up.limit = '1m': unknown key; did you mean 'rule.up.limit'?"),
                Arguments.of("scope.s.entyr=a.B#c", none, none, null,
                        "agent argument: scope.s.entyr = 'a.B#c': unknown key; did you mean 'scope.s.entry'?"),
                Arguments.of("heapguard.mode=off", none, none, null,
                        "agent argument: heapguard.mode = 'off': unknown key; did you mean 'mode'?"
                                + " (the 'heapguard.' prefix is only for system properties)"),
                Arguments.of("colour=blue", none, none, null,
                        "agent argument: colour = 'blue': unknown key; known keys: mode, heap.reserve, global.limit,"
                                + " track.min, arrays.min, arrays.include, arrays.exclude, health.window,"
                                + " health.max-refusal-rate, health.min-headroom, log.max-per-minute,"
                                + " notify.max-per-second, config, config.watch, rule.<name>.targets|callers|max-buffer|limit,"
                                + " scope.<name>.entry|limit"),
                Arguments.of("rule.up=1m", none, none, null,
                        "agent argument: rule.up = '1m': incomplete key; expected rule.up.targets, rule.up.callers,"
                                + " rule.up.max-buffer or rule.up.limit"),
                Arguments.of("rule.=1m", none, none, null,
                        "agent argument: rule. = '1m': incomplete key; expected rule.<name>.targets,"
                                + " rule.<name>.callers, rule.<name>.max-buffer or rule.<name>.limit"),
                Arguments.of("rule.up.size=1m", none, none, null,
                        "agent argument: rule.up.size = '1m': unknown key; expected rule.up.targets, rule.up.callers,"
                                + " rule.up.max-buffer or rule.up.limit"),
                Arguments.of("rule.a.b.limit=1m", none, none, null,
                        "agent argument: rule.a.b.limit = '1m': invalid rule name 'a.b' (letters, digits, '_' and '-' only)"),
                Arguments.of("rule..limit=1m", none, none, null,
                        "agent argument: rule..limit = '1m': missing rule name"),
                Arguments.of("scope.a b.limit=1m", none, none, null,
                        "agent argument: scope.a b.limit = '1m': invalid scope name 'a b' (letters, digits, '_' and '-' only)"),
                Arguments.of(null, Map.of("heapguard.heap.reserv", "5%"), none, null,
                        "system property heapguard.heap.reserv: heap.reserv = '5%': unknown key;"
                                + " did you mean 'heapguard.heap.reserve'?"),
                Arguments.of(null, Map.of("heapguard.jcstress.mode", "sanity"), none, null,
                        "system property heapguard.jcstress.mode: jcstress.mode = 'sanity': unknown key;"
                                + " known keys: mode, heap.reserve, global.limit, track.min, arrays.min, arrays.include,"
                                + " arrays.exclude, health.window, health.max-refusal-rate, health.min-headroom,"
                                + " log.max-per-minute, notify.max-per-second, config, config.watch,"
                                + " rule.<name>.targets|callers|max-buffer|limit, scope.<name>.entry|limit"),
                Arguments.of(null, none, Map.of("HEAPGUARD_HEAP_RESERV", "5%"), null,
                        "environment variable HEAPGUARD_HEAP_RESERV: HEAPGUARD_HEAP_RESERV = '5%': unknown variable;"
                                + " did you mean 'HEAPGUARD_HEAP_RESERVE'?"),
                Arguments.of(null, none, Map.of("HEAPGUARD_RULE_UPLOAD_MAXBUFFER", "1m"), null,
                        "environment variable HEAPGUARD_RULE_UPLOAD_MAXBUFFER: HEAPGUARD_RULE_UPLOAD_MAXBUFFER = '1m':"
                                + " unknown variable; did you mean 'HEAPGUARD_RULE_UPLOAD_MAX_BUFFER'?"),
                Arguments.of(null, none, Map.of("HEAPGUARD_RULES_UPLOAD_LIMIT", "1m"), null,
                        "environment variable HEAPGUARD_RULES_UPLOAD_LIMIT: HEAPGUARD_RULES_UPLOAD_LIMIT = '1m':"
                                + " unknown variable; did you mean 'HEAPGUARD_RULE_UPLOAD_LIMIT'?"),
                Arguments.of(null, none, Map.of("HEAPGUARD_RULE_UPLOAD", "1m"), null,
                        "environment variable HEAPGUARD_RULE_UPLOAD: HEAPGUARD_RULE_UPLOAD = '1m': unknown variable;"
                                + " expected HEAPGUARD_RULE_<NAME>_TARGETS|CALLERS|MAX_BUFFER|LIMIT"),
                Arguments.of(null, none, Map.of("HEAPGUARD_HOME", "/opt/hg"), null,
                        "environment variable HEAPGUARD_HOME: HEAPGUARD_HOME = '/opt/hg': unknown variable;"
                                + " expected HEAPGUARD_ followed by a key with dots and dashes as _, e.g. HEAPGUARD_MODE,"
                                + " HEAPGUARD_HEAP_RESERVE or HEAPGUARD_RULE_<NAME>_MAX_BUFFER"),
                Arguments.of(null, none, Map.of("HEAPGUARD_RULE_A.B_LIMIT", "1m"), null,
                        "environment variable HEAPGUARD_RULE_A.B_LIMIT: HEAPGUARD_RULE_A.B_LIMIT = '1m':"
                                + " invalid rule name 'A.B' (letters, digits, '_' and '-' only)"),
                Arguments.of(null, none, Map.of("HEAPGUARD_MODE", "off", "HEAPGUARD_mode", "monitor"), null,
                        "environment variable HEAPGUARD_mode: mode = 'monitor': also set by environment variable"
                                + " HEAPGUARD_MODE"),
                Arguments.of(null, none, Map.of("HEAPGUARD_RULE_UP_LIMIT", "1k", "HEAPGUARD_RULE_up_LIMIT", "2k"), null,
                        "environment variable HEAPGUARD_RULE_up_LIMIT: rule.up.limit = '2k': also set by environment"
                                + " variable HEAPGUARD_RULE_UP_LIMIT"),
                Arguments.of(null, Map.of("heapguard.rule.a-b.limit", "1k", "heapguard.rule.a_b.limit", "1k"),
                        Map.of("HEAPGUARD_RULE_A_B_MAX_BUFFER", "2k"), null,
                        "environment variable HEAPGUARD_RULE_A_B_MAX_BUFFER: rule.a_b.max-buffer = '2k': the rule name"
                                + " 'A_B' matches both rule 'a-b' and rule 'a_b'; set this key with a system property"
                                + " or in the file"),
                // values, per source
                Arguments.of("mode=sometimes", none, none, null,
                        "agent argument: mode = 'sometimes': not a mode (expected enforce, monitor or off)"),
                Arguments.of(null, Map.of("heapguard.heap.reserve", "12q"), none, null,
                        "system property heapguard.heap.reserve: heap.reserve = '12q':"
                                + " not a size (expected e.g. 65536, 64k, 16m, 2g or 25%)"),
                Arguments.of(null, none, Map.of("HEAPGUARD_RULE_UPLOAD_MAX_BUFFER", "12q"), null,
                        "environment variable HEAPGUARD_RULE_UPLOAD_MAX_BUFFER: rule.upload.max-buffer = '12q':"
                                + " not a size (expected e.g. 65536, 64k, 16m, 2g, 25% or none)"),
                Arguments.of("global.limit=-1", none, none, null,
                        "agent argument: global.limit = '-1': negative; expected e.g. 65536, 64k, 16m, 2g, 25% or none"),
                Arguments.of("heap.reserve=none", none, none, null,
                        "agent argument: heap.reserve = 'none': not a size (expected e.g. 65536, 64k, 16m, 2g or 25%)"),
                Arguments.of("track.min=101%", none, none, null,
                        "agent argument: track.min = '101%': more than 100% of the heap"),
                Arguments.of("arrays.min=\uff11k", none, none, null,
                        "agent argument: arrays.min = '\uff11k': not a size (expected e.g. 65536, 64k, 16m, 2g or 25%)"),
                Arguments.of("health.min-headroom=99999999999t", none, none, null,
                        "agent argument: health.min-headroom = '99999999999t': too large (at most 9223372036854775807 bytes)"),
                Arguments.of("health.window=0s", none, none, null,
                        "agent argument: health.window = '0s': must be positive (expected e.g. 500ms, 10s, 5m or 1h)"),
                Arguments.of("health.window=10", none, none, null,
                        "agent argument: health.window = '10': not a duration (expected e.g. 500ms, 10s, 5m or 1h)"),
                Arguments.of("health.max-refusal-rate=-1", none, none, null,
                        "agent argument: health.max-refusal-rate = '-1': negative; expected refusals per second, e.g. 1.0 or 0.5"),
                Arguments.of("health.max-refusal-rate=NaN", none, none, null,
                        "agent argument: health.max-refusal-rate = 'NaN': not a rate (expected refusals per second, e.g. 1.0 or 0.5)"),
                Arguments.of("log.max-per-minute=-1", none, none, null,
                        "agent argument: log.max-per-minute = '-1': negative; expected a whole number >= 0"),
                Arguments.of("notify.max-per-second=2147483648", none, none, null,
                        "agent argument: notify.max-per-second = '2147483648': too large (at most 2147483647)"),
                Arguments.of("notify.max-per-second=1.5", none, none, null,
                        "agent argument: notify.max-per-second = '1.5': not a whole number >= 0"),
                Arguments.of("rule.a.targets=Nope", none, none, null,
                        "agent argument: rule.a.targets = 'Nope': unknown target 'Nope' (known: *, "
                                + knownTargets() + ")"),
                Arguments.of("rule.a.targets=bytebuffer.allocate", none, none, null,
                        "agent argument: rule.a.targets = 'bytebuffer.allocate': unknown target 'bytebuffer.allocate';"
                                + " did you mean 'ByteBuffer.allocate'? (known: *, " + knownTargets() + ")"),
                Arguments.of("rule.a.targets=", none, none, null,
                        "agent argument: rule.a.targets = '': no targets (expected * or " + knownTargets() + ")"),
                Arguments.of("rule.a.targets=StringBuilder,,ByteBuffer.allocate", none, none, null,
                        "agent argument: rule.a.targets = 'StringBuilder,,ByteBuffer.allocate': empty target in the"
                                + " comma-separated list"),
                Arguments.of("rule.a.callers=com.example.upload.*,com example", none, none, null,
                        "agent argument: rule.a.callers = 'com.example.upload.*,com example': invalid character ' ' in"
                                + " class-name glob 'com example' (expected a class name with * and ?, e.g."
                                + " com.example.upload.*)"),
                Arguments.of("arrays.exclude=com..example", none, none, null,
                        "agent argument: arrays.exclude = 'com..example': misplaced '.' in class-name glob 'com..example'"),
                Arguments.of("scope.s.entry=com.example.Handler.handle", none, none, null,
                        "agent argument: scope.s.entry = 'com.example.Handler.handle': not a method (expected a binary"
                                + " class name, '#' and a method name, e.g. com.example.Handler#handle)"),
                Arguments.of("scope.s.entry=com.1example.Handler#handle", none, none, null,
                        "agent argument: scope.s.entry = 'com.1example.Handler#handle': not a class name"
                                + " 'com.1example.Handler' (expected a binary class name, '#' and a method name, e.g."
                                + " com.example.Handler#handle)"),
                Arguments.of("scope.s.entry=a.B#", none, none, null,
                        "agent argument: scope.s.entry = 'a.B#': not a method name '' (expected a binary class name,"
                                + " '#' and a method name, e.g. com.example.Handler#handle)"),
                Arguments.of("scope.s.limit=none", none, none, null,
                        "agent argument: scope.s.limit = 'none': not a size (expected e.g. 65536, 64k, 16m, 2g or 25%)"),
                Arguments.of("config= ", none, none, null,
                        "agent argument: config = ' ': empty; expected the path of a rules file"),
                Arguments.of("config=a\u0000b", none, none, null,
                        "agent argument: config = 'a\\u0000b': not a valid path: Nul character not allowed: a\\u0000b"),
                Arguments.of("config.watch=yes", none, none, null,
                        "agent argument: config.watch = 'yes': not a boolean (expected true or false)"),
                // whole rules and scopes
                Arguments.of("scope.s.limit=1m", none, none, null,
                        "agent argument: scope.s.limit = '1m': scope s has a limit but no entry; give it"
                                + " scope.s.entry, e.g. com.example.Handler#handle"),
                Arguments.of("scope.s.entry=a.B#c", none, none, null,
                        "agent argument: scope.s.entry = 'a.B#c': scope s has an entry but no limit; give it"
                                + " scope.s.limit"),
                // messages stay on one line whatever the value holds
                Arguments.of("mode=a\nb\rc\u2028d", none, none, null,
                        "agent argument: mode = 'a\\nb\\rc\\u2028d': not a mode (expected enforce, monitor or off)"));
    }

    private static String knownTargets() {
        StringBuilder sb = new StringBuilder();
        for (io.heapguard.ledger.GrowthPoint p : io.heapguard.ledger.GrowthPoint.values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p.targetName());
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "[{index}] {4}")
    @MethodSource("errors")
    void everyErrorNamesSourceKeyAndValue(String args, Map<String, String> sys, Map<String, String> env,
                                          String unused, String expected) {
        ConfigException e = fails(args, sys, env);
        assertEquals(expected, e.getMessage());
        assertTrue(e.getMessage().startsWith(e.source() + ": "));
    }

    static Stream<Arguments> fileErrors() {
        return Stream.of(
                Arguments.of("mode=off\nheap.reserve=12q\n", 2, "heap.reserve", "12q",
                        "not a size (expected e.g. 65536, 64k, 16m, 2g or 25%)"),
                Arguments.of("# hg\n\nrule.upload.max-buffer = 12q\n", 3, "rule.upload.max-buffer", "12q",
                        "not a size (expected e.g. 65536, 64k, 16m, 2g, 25% or none)"),
                Arguments.of("mode=off\n\n\nmode=monitor\n", 4, "mode", "monitor",
                        "set twice in this file, at lines 1 and 4"),
                Arguments.of("mode=off\nconfig=/etc/other.properties\n", 2, "config", "/etc/other.properties",
                        "not valid inside the rules file; name the file with the agent argument config=...,"
                                + " -Dheapguard.config=... or HEAPGUARD_CONFIG"),
                Arguments.of("config.watch=false\n", 1, "config.watch", "false",
                        "not valid inside the rules file; set it with the agent argument config.watch=...,"
                                + " -Dheapguard.config.watch=... or HEAPGUARD_CONFIG_WATCH"),
                Arguments.of("heap.reserv=5%", 1, "heap.reserv", "5%", "unknown key; did you mean 'heap.reserve'?"),
                Arguments.of("heapguard.mode=off", 1, "heapguard.mode", "off",
                        "unknown key; did you mean 'mode'? (the 'heapguard.' prefix is only for system properties)"),
                Arguments.of("a=1\nrule.x.max-buffer=\\u12", 2, "rule.x.max-buffer", "\\u12",
                        "malformed \\uXXXX escape in the value"),
                Arguments.of("\n\\uXYZW=1", 2, "\\uXYZW", null, "malformed \\uXXXX escape in the key"),
                Arguments.of("mode=\\n", 1, "mode", "\n", "not a mode (expected enforce, monitor or off)"));
    }

    @ParameterizedTest(name = "[{index}] {4}")
    @MethodSource("fileErrors")
    void fileErrorsNameTheFileAndLine(String text, int line, String key, String value, String reason)
            throws Exception {
        ConfigException e = failsFile(text);
        assertEquals("file " + file + " line " + line, e.source());
        assertEquals(key, e.key());
        assertEquals(value, e.value());
        String v = value == null ? "" : " = '" + value.replace("\n", "\\n") + "'";
        assertEquals(e.source() + ": " + key + v + ": " + reason, e.getMessage());
    }

    @Test
    void aMissingFileIsAnErrorNamingThePath() {
        Path missing = dir.resolve("missing.properties");
        ConfigException e = fails("config=" + missing, Map.of(), Map.of());
        assertEquals("agent argument: config = '" + missing + "': no rules file " + missing, e.getMessage());
        e = fails(null, Map.of("heapguard.config", "missing.properties"), Map.of());
        Path resolved = Path.of("missing.properties").toAbsolutePath().normalize();
        assertEquals("system property heapguard.config: config = 'missing.properties': no rules file " + resolved,
                e.getMessage());
        e = fails(null, Map.of(), Map.of("HEAPGUARD_CONFIG", missing.toString()));
        assertEquals("environment variable HEAPGUARD_CONFIG: config = '" + missing + "': no rules file " + missing,
                e.getMessage());
    }

    @Test
    void ofTwoVariablesNamingTheFileTheFirstByNameIsReadBeforeThePairIsRefused() throws IOException {
        write("mdoe=monitor");
        Path missing = dir.resolve("missing.properties");
        ConfigException e = fails(null, Map.of(), Map.of("HEAPGUARD_CONFIG", file.toString(),
                "HEAPGUARD_config", missing.toString()));
        assertEquals("file " + file + " line 1: mdoe = 'monitor': unknown key; did you mean 'mode'?", e.getMessage());
        write("mode=monitor");
        e = fails(null, Map.of(), Map.of("HEAPGUARD_CONFIG", file.toString(), "HEAPGUARD_config", missing.toString()));
        assertEquals("environment variable HEAPGUARD_config: config = '" + missing + "': also set by environment"
                + " variable HEAPGUARD_CONFIG", e.getMessage());
    }

    @Test
    void aDirectoryIsNotARulesFile() {
        ConfigException e = fails("config=" + dir, Map.of(), Map.of());
        assertEquals("agent argument: config = '" + dir + "': the rules file " + dir.toAbsolutePath().normalize()
                + " is a directory", e.getMessage());
    }

    @Test
    void anUnreadableFileIsAnErrorNamingThePath() throws Exception {
        write("mode=off");
        boolean denied = file.toFile().setReadable(false, false);
        try {
            if (!denied || Files.isReadable(file)) {
                return; // running as root, or a file system without permissions: nothing to check here
            }
            ConfigException e = fails("config=" + file, Map.of(), Map.of());
            assertEquals("agent argument: config = '" + file + "': cannot read the rules file " + file
                    + " (permission denied)", e.getMessage());
        } finally {
            file.toFile().setReadable(true, false);
        }
    }

    @Test
    void theFirstProblemInPrecedenceOrderIsReported() throws Exception {
        write("mode=bad-in-file\n");
        Map<String, String> sys = Map.of("heapguard.track.min", "bad-in-sys", "heapguard.arrays.min", "bad-too");
        Map<String, String> env = Map.of("HEAPGUARD_GLOBAL_LIMIT", "bad-in-env");
        assertEquals("agent argument", fails("config=" + file + ",heap.reserve=bad", sys, env).source());
        assertEquals("system property heapguard.arrays.min", fails("config=" + file, sys, env).source());
        assertEquals("environment variable HEAPGUARD_GLOBAL_LIMIT", fails("config=" + file, Map.of(), env).source());
        assertEquals("file " + file + " line 1", fails("config=" + file, Map.of(), Map.of()).source());
    }

    @Test
    void theSameConfigurationLoadsTheSameTwice() throws Exception {
        write("rule.b.limit=1m\nrule.a.max-buffer=2m\nscope.z.entry=a.B#c\nscope.z.limit=1m\n");
        ConfigSources s = sources("config=" + file, Map.of("heapguard.mode", "monitor"), Map.of("HEAPGUARD_RULE_C_LIMIT", "1"));
        assertEquals(ConfigLoader.load(s), ConfigLoader.load(s));
        assertEquals(List.of("a", "b", "c"), names(ConfigLoader.load(s).rules()));
    }

    @Test
    void defaultsResolveSharesAgainstTheHeap() {
        HeapGuardConfig d = ConfigLoader.defaults(1000);
        assertEquals(100, d.heapReserveBytes());
        assertEquals(50, d.healthMinHeadroomBytes());
        assertEquals(0, ConfigLoader.defaults(-1).heapReserveBytes());
    }

    @Test
    void ofRuntimeReadsOnlyHeapguardKeys() {
        ConfigSources s = ConfigSources.ofRuntime("mode=off");
        assertEquals("mode=off", s.agentArgs());
        assertEquals(Runtime.getRuntime().maxMemory(), s.maxHeapBytes());
        for (String k : s.systemProperties().keySet()) {
            assertTrue(k.startsWith("heapguard."), k);
        }
        for (String k : s.environment().keySet()) {
            assertTrue(k.startsWith("HEAPGUARD_"), k);
        }
    }
}

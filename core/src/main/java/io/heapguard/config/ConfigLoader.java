package io.heapguard.config;

import io.heapguard.ledger.GrowthPoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the configuration from its sources with the contract's precedence (agent argument > system
 * property > environment > rules file > built-in defaults) into one validated {@link HeapGuardConfig}.
 *
 * <p>How each source is read:
 * <ul>
 * <li>agent argument: {@code key=value} pairs separated by commas; a comma-separated segment without
 * {@code =} continues the previous value ({@code rule.a.targets=ByteBuffer.allocate,StringBuilder,mode=monitor}).
 * A key given twice is an error.</li>
 * <li>system properties: {@code heapguard.<key>}; every property with that prefix must be a known key.</li>
 * <li>environment: {@code HEAPGUARD_<KEY>}, the key upper-cased with dots and dashes as {@code _}
 * (matched ignoring case). In {@code HEAPGUARD_RULE_<NAME>_<SUFFIX>} (and {@code SCOPE}) the name is
 * matched, ignoring case and with {@code -} equal to {@code _}, to a rule named in another source;
 * a name found nowhere else is taken lower-cased.</li>
 * <li>rules file: named by {@code config} in one of the sources above; {@link java.util.Properties}
 * syntax, UTF-8 (ISO-8859-1 when the file is not valid UTF-8), a leading byte-order mark ignored; a
 * key written twice is an error.</li>
 * </ul>
 * A key given in a higher source wins for that key only; a rule's or scope's keys merge across
 * sources. Every value in every source is validated, including values a higher source overrides.
 * Checks run in this order and the first problem is thrown: the agent argument left to right, system
 * properties in name order, environment variables in name order, the rules file in line order (each
 * key, then its value), then the environment's rule and scope names (ambiguous matches, two variables
 * setting one key), then whole rules and scopes in name order.
 *
 * <p>Loaded by the bootstrap class loader: plain JDK, no lambdas or streams.
 */
public final class ConfigLoader {
    /** Default of {@code mode}. */
    public static final Mode DEFAULT_MODE = Mode.ENFORCE;
    /** Default of {@code heap.reserve}. */
    public static final String DEFAULT_HEAP_RESERVE = "10%";
    /** Default of {@code track.min}. */
    public static final long DEFAULT_TRACK_MIN_BYTES = 64L << 10;
    /** Default of {@code arrays.min}. */
    public static final long DEFAULT_ARRAYS_MIN_BYTES = 1L << 20;
    /** Default of {@code health.window}. */
    public static final Duration DEFAULT_HEALTH_WINDOW = Duration.ofSeconds(60);
    /** Default of {@code health.max-refusal-rate}. */
    public static final double DEFAULT_HEALTH_MAX_REFUSALS_PER_SECOND = 1.0;
    /** Default of {@code health.min-headroom}. */
    public static final String DEFAULT_HEALTH_MIN_HEADROOM = "5%";
    /** Default of {@code log.max-per-minute}. */
    public static final int DEFAULT_LOG_MAX_PER_MINUTE = 60;
    /** Default of {@code notify.max-per-second}. */
    public static final int DEFAULT_NOTIFY_MAX_PER_SECOND = 10;

    static final String AGENT_ARGUMENT = "agent argument";

    private static final int FILE = 1;
    private static final int ENVIRONMENT = 2;
    private static final int SYSTEM_PROPERTY = 3;
    private static final int AGENT = 4;

    private ConfigLoader() {
    }

    /**
     * The built-in defaults, no rules, no scopes, no file. A negative {@code maxHeapBytes} is taken as
     * unknown: shares of the heap resolve to 0.
     */
    public static HeapGuardConfig defaults(long maxHeapBytes) {
        long maxHeap = Math.max(0L, maxHeapBytes);
        return new HeapGuardConfig(DEFAULT_MODE, Sizes.parse(DEFAULT_HEAP_RESERVE, maxHeap), Sizes.NONE,
                DEFAULT_TRACK_MIN_BYTES, Collections.<RuleConfig>emptyList(), DEFAULT_ARRAYS_MIN_BYTES,
                Collections.singletonList("*"), Collections.<String>emptyList(),
                Collections.<ScopeConfig>emptyList(), DEFAULT_HEALTH_WINDOW,
                DEFAULT_HEALTH_MAX_REFUSALS_PER_SECOND, Sizes.parse(DEFAULT_HEALTH_MIN_HEADROOM, maxHeap),
                DEFAULT_LOG_MAX_PER_MINUTE, DEFAULT_NOTIFY_MAX_PER_SECOND, null, false);
    }

    /**
     * @throws ConfigException on the first problem found, naming source, key and value; nothing is
     *                         returned half-parsed
     */
    public static HeapGuardConfig load(ConfigSources sources) throws ConfigException {
        return new Run(Math.max(0L, sources.maxHeapBytes())).load(sources);
    }

    /** One value as one source gave it, parsed. */
    private static final class Setting {
        final String source;
        final int priority;
        final int order;
        final Keys.Key parsedKey;
        /** The key as a rules file would write it; for the environment, with the rule name resolved later. */
        String key;
        /** For a rule or scope, its name (for the environment, resolved later); else null. */
        String group;
        final String value;
        Object parsed;

        Setting(String source, int priority, int order, Keys.Key parsedKey, String key, String value) {
            this.source = source;
            this.priority = priority;
            this.order = order;
            this.parsedKey = parsedKey;
            this.key = key;
            this.group = parsedKey.group;
            this.value = value;
        }
    }

    /** The state of one load. */
    private static final class Run {
        private final long maxHeap;
        private int order;
        private final List<Setting> agent = new ArrayList<>();
        private final List<Setting> system = new ArrayList<>();
        private final List<Setting> environment = new ArrayList<>();
        private final List<Setting> file = new ArrayList<>();
        private Path filePath;

        Run(long maxHeap) {
            this.maxHeap = maxHeap;
        }

        HeapGuardConfig load(ConfigSources sources) throws ConfigException {
            readAgentArgs(sources.agentArgs());
            readSystemProperties(sources.systemProperties());
            readEnvironment(sources.environment());
            Setting config = first(Keys.CONFIG);
            if (config != null) {
                readFile(config);
            }
            resolveEnvironmentNames();
            return build();
        }

        private Setting first(String key) {
            List<List<Setting>> all = new ArrayList<>(3);
            all.add(agent);
            all.add(system);
            all.add(environment);
            for (List<Setting> list : all) {
                for (Setting s : list) {
                    if (s.key.equals(key)) {
                        return s;
                    }
                }
            }
            return null;
        }

        // ---------------------------------------------------------------- agent argument

        private void readAgentArgs(String args) throws ConfigException {
            if (args == null || args.isBlank()) {
                return;
            }
            List<String> keys = new ArrayList<>();
            List<StringBuilder> values = new ArrayList<>();
            int n = args.length();
            int i = 0;
            while (i <= n) {
                int comma = args.indexOf(',', i);
                if (comma < 0) {
                    comma = n;
                }
                String segment = args.substring(i, comma);
                int eq = segment.indexOf('=');
                if (eq < 0) {
                    if (keys.isEmpty()) {
                        throw new ConfigException(AGENT_ARGUMENT, segment.strip(), null,
                                "expected key=value pairs separated by commas,"
                                        + " e.g. config=/etc/heapguard.properties,mode=monitor");
                    }
                    values.get(values.size() - 1).append(',').append(segment);
                } else {
                    String key = segment.substring(0, eq).strip();
                    if (key.isEmpty()) {
                        throw new ConfigException(AGENT_ARGUMENT, segment.strip(), null,
                                "missing key before '='; expected key=value pairs separated by commas");
                    }
                    keys.add(key);
                    values.add(new StringBuilder(segment.substring(eq + 1)));
                }
                i = comma + 1;
            }
            Map<String, String> seen = new HashMap<>();
            for (int k = 0; k < keys.size(); k++) {
                String key = keys.get(k);
                String value = values.get(k).toString();
                Keys.Key parsedKey = classify(AGENT_ARGUMENT, key, value, "");
                String previous = seen.get(key);
                if (previous != null) {
                    throw new ConfigException(AGENT_ARGUMENT, key, value,
                            "given twice in the agent argument (first as '" + previous + "')");
                }
                seen.put(key, value);
                agent.add(parse(new Setting(AGENT_ARGUMENT, AGENT, order++, parsedKey, key, value)));
            }
        }

        // ---------------------------------------------------------------- system properties

        private void readSystemProperties(Map<String, String> properties) throws ConfigException {
            TreeMap<String, String> sorted = new TreeMap<>();
            for (Map.Entry<String, String> e : properties.entrySet()) {
                if (e.getKey().startsWith(Keys.PROPERTY_PREFIX)) {
                    sorted.put(e.getKey(), e.getValue());
                }
            }
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                String source = "system property " + e.getKey();
                String key = e.getKey().substring(Keys.PROPERTY_PREFIX.length());
                Keys.Key parsedKey = classify(source, key, e.getValue(), Keys.PROPERTY_PREFIX);
                system.add(parse(new Setting(source, SYSTEM_PROPERTY, order++, parsedKey, key, e.getValue())));
            }
        }

        // ---------------------------------------------------------------- environment

        private void readEnvironment(Map<String, String> env) throws ConfigException {
            TreeMap<String, String> sorted = new TreeMap<>();
            for (Map.Entry<String, String> e : env.entrySet()) {
                if (e.getKey().startsWith(Keys.ENV_PREFIX)) {
                    sorted.put(e.getKey(), e.getValue());
                }
            }
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                String variable = e.getKey();
                String source = "environment variable " + variable;
                Keys.Key parsedKey;
                try {
                    parsedKey = Keys.classifyEnv(variable);
                } catch (IllegalArgumentException ex) {
                    throw new ConfigException(source, variable, e.getValue(), ex.getMessage());
                }
                String key = parsedKey.kind == Keys.FIXED_KIND ? parsedKey.suffix
                        : (parsedKey.kind == Keys.RULE_KIND ? Keys.RULE : Keys.SCOPE) + "."
                        + Keys.asciiLower(parsedKey.group) + "." + parsedKey.suffix;
                environment.add(parse(new Setting(source, ENVIRONMENT, order++, parsedKey, key, e.getValue())));
            }
        }

        /**
         * Gives each {@code HEAPGUARD_RULE_<NAME>_...} the name of the rule another source names
         * (ignoring case, {@code -} equal to {@code _}), else its name lower-cased; then checks that no
         * two variables set the same key.
         */
        private void resolveEnvironmentNames() throws ConfigException {
            TreeSet<String> rules = new TreeSet<>();
            TreeSet<String> scopes = new TreeSet<>();
            collectNames(agent, rules, scopes);
            collectNames(system, rules, scopes);
            collectNames(file, rules, scopes);
            Map<String, Setting> seen = new HashMap<>();
            for (Setting s : environment) {
                if (s.parsedKey.kind != Keys.FIXED_KIND) {
                    boolean rule = s.parsedKey.kind == Keys.RULE_KIND;
                    String word = rule ? Keys.RULE : Keys.SCOPE;
                    String wanted = canonical(s.parsedKey.group);
                    String match = null;
                    for (String name : rule ? rules : scopes) {
                        if (canonical(name).equals(wanted)) {
                            if (match != null) {
                                throw new ConfigException(s.source, s.key, s.value, "the " + word + " name '"
                                        + s.parsedKey.group + "' matches both " + word + " '" + match + "' and "
                                        + word + " '" + name + "'; set this key with a system property or in the file");
                            }
                            match = name;
                        }
                    }
                    s.group = match != null ? match : Keys.asciiLower(s.parsedKey.group);
                    s.key = word + "." + s.group + "." + s.parsedKey.suffix;
                }
                Setting other = seen.get(s.key);
                if (other != null) {
                    throw new ConfigException(s.source, s.key, s.value, "also set by " + other.source);
                }
                seen.put(s.key, s);
            }
        }

        private static void collectNames(List<Setting> settings, TreeSet<String> rules, TreeSet<String> scopes) {
            for (Setting s : settings) {
                if (s.parsedKey.kind == Keys.RULE_KIND) {
                    rules.add(s.group);
                } else if (s.parsedKey.kind == Keys.SCOPE_KIND) {
                    scopes.add(s.group);
                }
            }
        }

        private static String canonical(String name) {
            return Keys.asciiUpper(name).replace('-', '_');
        }

        // ---------------------------------------------------------------- rules file

        private void readFile(Setting config) throws ConfigException {
            Path path = (Path) config.parsed;
            if (Files.isDirectory(path)) {
                throw new ConfigException(config.source, config.key, config.value,
                        "the rules file " + path + " is a directory");
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                throw new ConfigException(config.source, config.key, config.value, "no rules file " + path);
            } catch (AccessDeniedException e) {
                throw new ConfigException(config.source, config.key, config.value,
                        "cannot read the rules file " + path + " (permission denied)");
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
                throw new ConfigException(config.source, config.key, config.value,
                        "cannot read the rules file " + path + ": " + why);
            }
            filePath = path;
            readFileText(path, decode(bytes));
        }

        private static String decode(byte[] bytes) {
            String text;
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                text = utf8.decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                text = new String(bytes, StandardCharsets.ISO_8859_1);
            }
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
            return text;
        }

        private void readFileText(Path path, String text) throws ConfigException {
            String at = "file " + path + " line ";
            List<PropertiesReader.Entry> entries;
            try {
                entries = PropertiesReader.parse(text);
            } catch (PropertiesReader.MalformedException e) {
                throw new ConfigException(at + e.line, e.key, e.value, e.getMessage());
            }
            Map<String, Integer> lines = new HashMap<>();
            for (PropertiesReader.Entry entry : entries) {
                String source = at + entry.line;
                Keys.Key parsedKey = classify(source, entry.key, entry.value, "");
                if (parsedKey.kind == Keys.FIXED_KIND && Keys.CONFIG.equals(parsedKey.suffix)) {
                    throw new ConfigException(source, entry.key, entry.value,
                            "not valid inside the rules file; name the file with the agent argument config=...,"
                                    + " -Dheapguard.config=... or HEAPGUARD_CONFIG");
                }
                if (parsedKey.kind == Keys.FIXED_KIND && Keys.CONFIG_WATCH.equals(parsedKey.suffix)) {
                    // Read once, at start-up: a file cannot switch off the watching that would see it change back.
                    throw new ConfigException(source, entry.key, entry.value,
                            "not valid inside the rules file; set it with the agent argument config.watch=...,"
                                    + " -Dheapguard.config.watch=... or HEAPGUARD_CONFIG_WATCH");
                }
                Integer previous = lines.get(entry.key);
                if (previous != null) {
                    throw new ConfigException(source, entry.key, entry.value,
                            "set twice in this file, at lines " + previous + " and " + entry.line);
                }
                lines.put(entry.key, entry.line);
                file.add(parse(new Setting(source, FILE, order++, parsedKey, entry.key, entry.value)));
            }
        }

        // ---------------------------------------------------------------- keys and values

        private static Keys.Key classify(String source, String key, String value, String prefix)
                throws ConfigException {
            try {
                return Keys.classify(key, prefix);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source, key, value, e.getMessage());
            }
        }

        private Setting parse(Setting s) throws ConfigException {
            try {
                s.parsed = parseValue(s.parsedKey.type(), s.value, maxHeap);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(s.source, s.key, s.value, e.getMessage());
            }
            return s;
        }

        // ---------------------------------------------------------------- merge and build

        private HeapGuardConfig build() throws ConfigException {
            TreeMap<String, Setting> effective = new TreeMap<>();
            putAll(effective, file);
            putAll(effective, environment);
            putAll(effective, system);
            putAll(effective, agent);

            HeapGuardConfig d = defaults(maxHeap);
            Mode mode = (Mode) valueOr(effective, Keys.MODE, d.mode());
            long heapReserve = (Long) valueOr(effective, Keys.HEAP_RESERVE, d.heapReserveBytes());
            long globalLimit = (Long) valueOr(effective, Keys.GLOBAL_LIMIT, d.globalLimitBytes());
            long trackMin = (Long) valueOr(effective, Keys.TRACK_MIN, d.trackMinBytes());
            long arraysMin = (Long) valueOr(effective, Keys.ARRAYS_MIN, d.arraysMinBytes());
            List<String> include = castList(valueOr(effective, Keys.ARRAYS_INCLUDE, d.arraysInclude()));
            List<String> exclude = castList(valueOr(effective, Keys.ARRAYS_EXCLUDE, d.arraysExclude()));
            Duration window = (Duration) valueOr(effective, Keys.HEALTH_WINDOW, d.healthWindow());
            double rate = (Double) valueOr(effective, Keys.HEALTH_MAX_REFUSAL_RATE, d.healthMaxRefusalsPerSecond());
            long headroom = (Long) valueOr(effective, Keys.HEALTH_MIN_HEADROOM, d.healthMinHeadroomBytes());
            int logMax = (Integer) valueOr(effective, Keys.LOG_MAX_PER_MINUTE, d.logMaxPerMinute());
            int notifyMax = (Integer) valueOr(effective, Keys.NOTIFY_MAX_PER_SECOND, d.notifyMaxPerSecond());
            boolean watch = filePath != null && (Boolean) valueOr(effective, Keys.CONFIG_WATCH, Boolean.TRUE);

            TreeMap<String, Map<String, Setting>> ruleGroups = new TreeMap<>();
            TreeMap<String, Map<String, Setting>> scopeGroups = new TreeMap<>();
            for (Setting s : effective.values()) {
                if (s.parsedKey.kind == Keys.FIXED_KIND) {
                    continue;
                }
                TreeMap<String, Map<String, Setting>> groups =
                        s.parsedKey.kind == Keys.RULE_KIND ? ruleGroups : scopeGroups;
                Map<String, Setting> group = groups.get(s.group);
                if (group == null) {
                    group = new HashMap<>();
                    groups.put(s.group, group);
                }
                group.put(s.parsedKey.suffix, s);
            }

            List<RuleConfig> rules = new ArrayList<>(ruleGroups.size());
            for (Map.Entry<String, Map<String, Setting>> e : ruleGroups.entrySet()) {
                String name = e.getKey();
                Map<String, Setting> g = e.getValue();
                List<String> targets = g.containsKey(Keys.TARGETS)
                        ? castList(g.get(Keys.TARGETS).parsed) : Collections.singletonList("*");
                List<String> callers = g.containsKey(Keys.CALLERS)
                        ? castList(g.get(Keys.CALLERS).parsed) : Collections.<String>emptyList();
                long maxBuffer = g.containsKey(Keys.MAX_BUFFER) ? (Long) g.get(Keys.MAX_BUFFER).parsed : Sizes.NONE;
                long limit = g.containsKey(Keys.LIMIT) ? (Long) g.get(Keys.LIMIT).parsed : Sizes.NONE;
                rules.add(new RuleConfig(name, targets, callers, maxBuffer, limit));
            }

            List<ScopeConfig> scopes = new ArrayList<>(scopeGroups.size());
            for (Map.Entry<String, Map<String, Setting>> e : scopeGroups.entrySet()) {
                String name = e.getKey();
                Map<String, Setting> g = e.getValue();
                Setting entry = g.get(Keys.ENTRY);
                Setting limit = g.get(Keys.LIMIT);
                if (entry == null) {
                    throw new ConfigException(limit.source, limit.key, limit.value, "scope " + name
                            + " has a limit but no entry; give it scope." + name + ".entry, e.g. com.example.Handler#handle");
                }
                if (limit == null) {
                    throw new ConfigException(entry.source, entry.key, entry.value, "scope " + name
                            + " has an entry but no limit; give it scope." + name + ".limit");
                }
                String[] method = (String[]) entry.parsed;
                scopes.add(new ScopeConfig(name, method[0], method[1], (Long) limit.parsed));
            }

            return new HeapGuardConfig(mode, heapReserve, globalLimit, trackMin, rules, arraysMin, include, exclude,
                    scopes, window, rate, headroom, logMax, notifyMax, filePath, watch);
        }

        private static void putAll(Map<String, Setting> effective, List<Setting> settings) {
            for (Setting s : settings) {
                effective.put(s.key, s);
            }
        }

        private static Object valueOr(Map<String, Setting> effective, String key, Object fallback) {
            Setting s = effective.get(key);
            return s == null ? fallback : s.parsed;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    // -------------------------------------------------------------------- value parsers

    /**
     * Parses the value of a key as every source does; also how the command line checks a live change
     * ({@code set <pid> heap.reserve=15%}) before writing it.
     *
     * @param type the key, with a rule's or scope's name as {@code *} ({@code rule.*.limit})
     * @return the parsed value: Mode, Long, Double, Integer, Boolean, Duration, Path, List of String, or String[2]
     * @throws IllegalArgumentException the reason the value is not valid for the key
     */
    public static Object parseValue(String type, String value, long maxHeap) {
        switch (type) {
            case Keys.MODE:
                try {
                    return Mode.parse(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not a mode (expected enforce, monitor or off)");
                }
            case Keys.HEAP_RESERVE: {
                long reserve = Sizes.parse(value, maxHeap);
                if (maxHeap >= 0 && reserve > maxHeap) {
                    // A reserve larger than the heap would refuse every tracked growth of the biggest holder.
                    throw new IllegalArgumentException("more than the maximum heap (" + maxHeap + " bytes)");
                }
                return reserve;
            }
            case Keys.TRACK_MIN:
            case Keys.ARRAYS_MIN:
            case Keys.HEALTH_MIN_HEADROOM:
            case "scope.*.limit":
                return Sizes.parse(value, maxHeap);
            case Keys.GLOBAL_LIMIT:
            case "rule.*.max-buffer":
            case "rule.*.limit":
                return Sizes.parseLimit(value, maxHeap);
            case Keys.ARRAYS_INCLUDE:
            case Keys.ARRAYS_EXCLUDE:
            case "rule.*.callers":
                return globs(value);
            case "rule.*.targets":
                return targets(value);
            case Keys.HEALTH_WINDOW:
                return Durations.parse(value);
            case Keys.HEALTH_MAX_REFUSAL_RATE:
                return rate(value);
            case Keys.LOG_MAX_PER_MINUTE:
            case Keys.NOTIFY_MAX_PER_SECOND:
                return count(value);
            case Keys.CONFIG:
                return path(value);
            case Keys.CONFIG_WATCH:
                return bool(value);
            case "scope.*.entry":
                return method(value);
            default:
                throw new IllegalArgumentException("no parser for " + type);
        }
    }

    /** Splits a comma-separated list, stripping blanks; an empty or blank text is an empty list. */
    private static List<String> split(String value, String what) {
        List<String> out = new ArrayList<>();
        if (value.isBlank()) {
            return out;
        }
        int i = 0;
        int n = value.length();
        while (i <= n) {
            int comma = value.indexOf(',', i);
            if (comma < 0) {
                comma = n;
            }
            String item = value.substring(i, comma).strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("empty " + what + " in the comma-separated list");
            }
            if (!out.contains(item)) {
                out.add(item);
            }
            i = comma + 1;
        }
        return out;
    }

    private static List<String> globs(String value) {
        List<String> globs = split(value, "class-name glob");
        for (String g : globs) {
            String problem = Globs.problem(g);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        return Collections.unmodifiableList(globs);
    }

    private static List<String> targets(String value) {
        List<String> names = split(value, "target");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no targets (expected * or " + knownTargets() + ")");
        }
        for (String name : names) {
            if (!"*".equals(name) && GrowthPoint.byTargetName(name) == null) {
                GrowthPoint[] points = GrowthPoint.values();
                String[] known = new String[points.length];
                for (int i = 0; i < points.length; i++) {
                    known[i] = points[i].targetName();
                }
                String near = Keys.nearest(name, known);
                throw new IllegalArgumentException("unknown target '" + name + "'"
                        + (near != null ? "; did you mean '" + near + "'?" : "")
                        + " (known: *, " + knownTargets() + ")");
            }
        }
        if (names.contains("*")) {
            return Collections.singletonList("*");
        }
        return Collections.unmodifiableList(names);
    }

    private static String knownTargets() {
        StringBuilder sb = new StringBuilder();
        for (GrowthPoint p : GrowthPoint.values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p.targetName());
        }
        return sb.toString();
    }

    private static Double rate(String value) {
        String t = value.strip();
        int dot = t.indexOf('.');
        boolean ok = dot < 0 ? Sizes.asciiDigits(t, 0, t.length())
                : Sizes.asciiDigits(t, 0, dot) && Sizes.asciiDigits(t, dot + 1, t.length());
        if (!ok) {
            throw new IllegalArgumentException(t.startsWith("-") ? "negative; expected refusals per second, e.g. 1.0 or 0.5"
                    : "not a rate (expected refusals per second, e.g. 1.0 or 0.5)");
        }
        double d = Double.parseDouble(t);
        if (Double.isInfinite(d)) {
            throw new IllegalArgumentException("too large");
        }
        return d;
    }

    private static Integer count(String value) {
        String t = value.strip();
        if (!Sizes.asciiDigits(t, 0, t.length())) {
            throw new IllegalArgumentException(t.startsWith("-") ? "negative; expected a whole number >= 0"
                    : "not a whole number >= 0");
        }
        long v = Sizes.parseDigits(t, 0, t.length());
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too large (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    private static Boolean bool(String value) {
        String t = value.strip();
        if (t.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (t.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("not a boolean (expected true or false)");
    }

    private static Path path(String value) {
        String t = value.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty; expected the path of a rules file");
        }
        try {
            return Path.of(t).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid path: " + e.getMessage());
        }
    }

    private static String[] method(String value) {
        String t = value.strip();
        int hash = t.indexOf('#');
        String expected = "expected a binary class name, '#' and a method name, e.g. com.example.Handler#handle";
        if (hash < 0 || hash != t.lastIndexOf('#')) {
            throw new IllegalArgumentException("not a method (" + expected + ")");
        }
        String cls = t.substring(0, hash);
        String name = t.substring(hash + 1);
        if (cls.isEmpty() || cls.startsWith(".") || cls.endsWith(".")) {
            throw new IllegalArgumentException("not a class name '" + cls + "' (" + expected + ")");
        }
        int start = 0;
        while (start <= cls.length()) {
            int dot = cls.indexOf('.', start);
            if (dot < 0) {
                dot = cls.length();
            }
            if (!isIdentifier(cls, start, dot)) {
                throw new IllegalArgumentException("not a class name '" + cls + "' (" + expected + ")");
            }
            start = dot + 1;
        }
        if (!isIdentifier(name, 0, name.length())) {
            throw new IllegalArgumentException("not a method name '" + name + "' (" + expected + ")");
        }
        return new String[] {cls, name};
    }

    private static boolean isIdentifier(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = i == from ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c);
            if (!ok || Character.isIdentifierIgnorable(c)) {
                return false;
            }
        }
        return true;
    }
}

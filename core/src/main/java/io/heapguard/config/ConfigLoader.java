package io.heapguard.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the configuration from its sources with the contract's precedence (agent argument > system
 * property > environment > rules file > built-in defaults) into one validated {@link HeapGuardConfig}.
 * The keys, their parsers and defaults are in {@link Keys}; how each source is read, in
 * {@link SourceReader}; here is which setting wins and how the settings become one configuration.
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
    private ConfigLoader() {
    }

    /**
     * The built-in defaults, no rules, no scopes, no file. A negative {@code maxHeapBytes} is taken as
     * unknown: shares of the heap resolve to 0.
     */
    public static HeapGuardConfig defaults(long maxHeapBytes) {
        return new HeapGuardConfig(values(Collections.<String, Setting>emptyMap(), Math.max(0L, maxHeapBytes)),
                Collections.<RuleConfig>emptyList(), Collections.<ScopeConfig>emptyList());
    }

    /**
     * @throws ConfigException on the first problem found, naming source, key and value; nothing is
     *                         returned half-parsed
     */
    public static HeapGuardConfig load(ConfigSources sources) throws ConfigException {
        long maxHeap = Math.max(0L, sources.maxHeapBytes());
        SourceReader reader = new SourceReader(maxHeap);
        List<Setting> agent = reader.agentArgument(sources.agentArgs());
        List<Setting> system = reader.systemProperties(sources.systemProperties());
        List<Setting> environment = reader.environment(sources.environment());
        List<Setting> none = Collections.emptyList();
        Setting config = winners(agent, system, environment, none).get(Keys.CONFIG.name());
        List<Setting> file = config == null ? none : reader.rulesFile(config);
        SourceReader.resolveEnvironmentNames(environment, agent, system, file);
        Map<String, Setting> winners = winners(agent, system, environment, file);
        return new HeapGuardConfig(values(winners, maxHeap), rules(winners, maxHeap), scopes(winners));
    }

    /**
     * Parses the value of a key as every source does; also how the command line checks a live change
     * ({@code set <pid> heap.reserve=15%}) before writing it.
     *
     * @param type the key, with a rule's or scope's name as {@code *} ({@code rule.*.limit})
     * @return the parsed value: Mode, Long, Double, Integer, Boolean, Duration, Path, List of String, or String[2]
     * @throws IllegalArgumentException the reason the value is not valid for the key
     */
    public static Object parseValue(String type, String value, long maxHeap) {
        Key<?> key = Keys.byName(type);
        if (key == null) {
            throw new IllegalArgumentException("no parser for " + type);
        }
        return key.parse(value, maxHeap);
    }

    // -------------------------------------------------------------------- precedence

    /**
     * The setting in force for each key as a rules file spells it: a key given in a higher source wins
     * for that key only; within one source, the first (two environment variables that differ only in
     * case are an error, found after the file is read).
     */
    private static Map<String, Setting> winners(List<Setting> agent, List<Setting> system,
                                                List<Setting> environment, List<Setting> file) {
        Map<String, Setting> winners = new TreeMap<>();
        putAbsent(winners, agent);
        putAbsent(winners, system);
        putAbsent(winners, environment);
        putAbsent(winners, file);
        return winners;
    }

    private static void putAbsent(Map<String, Setting> winners, List<Setting> settings) {
        for (Setting s : settings) {
            String key = s.spelled();
            if (!winners.containsKey(key)) {
                winners.put(key, s);
            }
        }
    }

    // -------------------------------------------------------------------- one configuration

    /** A value for every key of {@link Keys#FIXED}: the one in force, else the key's default. */
    private static Map<Key<?>, Object> values(Map<String, Setting> winners, long maxHeap) {
        Map<Key<?>, Object> values = new LinkedHashMap<>();
        for (Key<?> key : Keys.FIXED) {
            Setting s = winners.get(key.name());
            values.put(key, s != null ? s.parsed : key.defaultValue(maxHeap));
        }
        if (values.get(Keys.CONFIG) == null) {
            values.put(Keys.CONFIG_WATCH, Boolean.FALSE); // no file, nothing to watch
        }
        return values;
    }

    private static List<RuleConfig> rules(Map<String, Setting> winners, long maxHeap) {
        Map<String, Map<Key<?>, Setting>> groups = groups(winners, Keys.RULE);
        List<RuleConfig> rules = new ArrayList<>(groups.size());
        for (Map.Entry<String, Map<Key<?>, Setting>> e : groups.entrySet()) {
            Map<Key<?>, Setting> g = e.getValue();
            rules.add(new RuleConfig(e.getKey(), value(g, Keys.RULE_TARGETS, maxHeap),
                    value(g, Keys.RULE_CALLERS, maxHeap), value(g, Keys.RULE_MAX_BUFFER, maxHeap),
                    value(g, Keys.RULE_LIMIT, maxHeap)));
        }
        return rules;
    }

    /** @throws ConfigException for the first scope, by name, that lacks its entry or its limit */
    private static List<ScopeConfig> scopes(Map<String, Setting> winners) throws ConfigException {
        Map<String, Map<Key<?>, Setting>> groups = groups(winners, Keys.SCOPE);
        List<ScopeConfig> scopes = new ArrayList<>(groups.size());
        for (Map.Entry<String, Map<Key<?>, Setting>> e : groups.entrySet()) {
            String name = e.getKey();
            Setting entry = e.getValue().get(Keys.SCOPE_ENTRY);
            Setting limit = e.getValue().get(Keys.SCOPE_LIMIT);
            if (entry == null) {
                throw limit.problem("scope " + name + " has a limit but no entry; give it scope." + name
                        + ".entry, e.g. com.example.Handler#handle");
            }
            if (limit == null) {
                throw entry.problem("scope " + name + " has an entry but no limit; give it scope." + name + ".limit");
            }
            String[] method = Keys.SCOPE_ENTRY.cast(entry.parsed);
            scopes.add(new ScopeConfig(name, method[0], method[1], Keys.SCOPE_LIMIT.cast(limit.parsed)));
        }
        return scopes;
    }

    /** The settings of the {@code rule} or {@code scope} groups, by the group's name in order, then by key. */
    private static Map<String, Map<Key<?>, Setting>> groups(Map<String, Setting> winners, String word) {
        Map<String, Map<Key<?>, Setting>> groups = new TreeMap<>();
        for (Setting s : winners.values()) {
            if (!word.equals(s.name.key.group())) {
                continue;
            }
            Map<Key<?>, Setting> group = groups.get(s.group);
            if (group == null) {
                group = new HashMap<>();
                groups.put(s.group, group);
            }
            group.put(s.name.key, s);
        }
        return groups;
    }

    /** The value in force in a group, else the key's default. */
    private static <T> T value(Map<Key<?>, Setting> group, Key<T> key, long maxHeap) {
        Setting s = group.get(key);
        return s != null ? key.cast(s.parsed) : key.defaultValue(maxHeap);
    }
}

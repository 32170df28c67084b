package io.heapguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, parsed once from every source and validated: a value for every key of
 * {@link Keys#FIXED}, the rules and the scopes. Immutable; sizes given as a share of the heap are
 * already resolved to bytes against the JVM's maximum heap.
 */
public final class HeapGuardConfig {
    /** Every fixed key, in the order of {@link Keys#FIXED}, to its value ({@code config} may be null). */
    private final Map<Key<?>, Object> values;
    private final List<RuleConfig> rules;
    private final List<ScopeConfig> scopes;

    HeapGuardConfig(Map<Key<?>, Object> values, List<RuleConfig> rules, List<ScopeConfig> scopes) {
        Map<Key<?>, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<Key<?>, Object> e : values.entrySet()) {
            // A list handed in stays the caller's: the configuration keeps its own, unmodifiable, copy.
            copy.put(e.getKey(), e.getValue() instanceof List ? List.copyOf((List<?>) e.getValue()) : e.getValue());
        }
        this.values = copy;
        this.rules = List.copyOf(rules);
        this.scopes = List.copyOf(scopes);
    }

    /** The value of a key outside any rule or scope. */
    public <T> T get(Key<T> key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException(key + " is a key of a rule or scope; read it from rules() or scopes()");
        }
        return key.cast(values.get(key));
    }

    /** This configuration with one key outside any rule or scope changed, as given (not validated). */
    public <T> HeapGuardConfig with(Key<T> key, T value) {
        get(key);
        Map<Key<?>, Object> changed = new LinkedHashMap<>(values);
        changed.put(key, value);
        return new HeapGuardConfig(changed, rules, scopes);
    }

    /** This configuration with these rules instead of its own (not validated). */
    public HeapGuardConfig withRules(List<RuleConfig> rules) {
        return new HeapGuardConfig(values, rules, scopes);
    }

    /** {@code mode}. */
    public Mode mode() {
        return get(Keys.MODE);
    }

    /** {@code heap.reserve}; 0 disables the check. */
    public long heapReserveBytes() {
        return get(Keys.HEAP_RESERVE);
    }

    /** {@code global.limit}, or {@code -1} for none. */
    public long globalLimitBytes() {
        return get(Keys.GLOBAL_LIMIT);
    }

    /** {@code track.min}. */
    public long trackMinBytes() {
        return get(Keys.TRACK_MIN);
    }

    /** The {@code rule.<name>.*} groups, sorted by name. */
    public List<RuleConfig> rules() {
        return rules;
    }

    /** {@code arrays.min}: smallest array (in bytes) the {@code array} guard charges. */
    public long arraysMinBytes() {
        return get(Keys.ARRAYS_MIN);
    }

    /** {@code arrays.include}: class-name globs the {@code array} guard instruments. */
    public List<String> arraysInclude() {
        return get(Keys.ARRAYS_INCLUDE);
    }

    /** {@code arrays.exclude}: class-name globs it leaves alone. */
    public List<String> arraysExclude() {
        return get(Keys.ARRAYS_EXCLUDE);
    }

    /** The {@code scope.<name>.*} groups, sorted by name. */
    public List<ScopeConfig> scopes() {
        return scopes;
    }

    /** {@code health.window}: the window the refusal rate is measured over. */
    public Duration healthWindow() {
        return get(Keys.HEALTH_WINDOW);
    }

    /** {@code health.max-refusal-rate}: above it the process reports unhealthy. */
    public double healthMaxRefusalsPerSecond() {
        return get(Keys.HEALTH_MAX_REFUSAL_RATE);
    }

    /** {@code health.min-headroom}: free heap below it reports unhealthy. */
    public long healthMinHeadroomBytes() {
        return get(Keys.HEALTH_MIN_HEADROOM);
    }

    /** {@code log.max-per-minute}: refusal log lines per minute, the rest counted. */
    public int logMaxPerMinute() {
        return get(Keys.LOG_MAX_PER_MINUTE);
    }

    /** {@code notify.max-per-second}: JMX notifications per second, the rest counted. */
    public int notifyMaxPerSecond() {
        return get(Keys.NOTIFY_MAX_PER_SECOND);
    }

    /** The rules file read ({@code config}), or {@code null} when none was named. */
    public Path file() {
        return get(Keys.CONFIG);
    }

    /** {@code config.watch}: re-read {@link #file()} when it changes; false when there is no file. */
    public boolean configWatch() {
        return get(Keys.CONFIG_WATCH);
    }

    public RuleConfig rule(String name) {
        for (RuleConfig r : rules) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HeapGuardConfig)) {
            return false;
        }
        HeapGuardConfig other = (HeapGuardConfig) o;
        return values.equals(other.values) && rules.equals(other.rules) && scopes.equals(other.scopes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * values.hashCode() + rules.hashCode()) + scopes.hashCode();
    }

    @Override
    public String toString() {
        return "HeapGuardConfig" + values + " rules=" + rules + " scopes=" + scopes;
    }
}

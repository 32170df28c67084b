package io.heapguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every configuration key, each with its parser, its checks and its default, in the order the
 * documentation lists them. Adding a key is one line here: every source reads it, the list of known
 * keys and the suggestions for a mistyped key include it, and {@link HeapGuardConfig#get(Key)} returns
 * it (a named accessor on {@link HeapGuardConfig} is only for the code that reads it often).
 */
public final class Keys {
    private static final List<Key<?>> FIXED_KEYS = new ArrayList<>();
    private static final List<Key<?>> RULE_KEYS = new ArrayList<>();
    private static final List<Key<?>> SCOPE_KEYS = new ArrayList<>();

    static final String RULE = "rule";
    static final String SCOPE = "scope";

    public static final Key<Mode> MODE = fixed("mode", "enforce", Values.MODE);
    public static final Key<Long> HEAP_RESERVE = fixed("heap.reserve", "10%", Values.HEAP_RESERVE);
    public static final Key<Long> GLOBAL_LIMIT = fixed("global.limit", "none", Values.LIMIT);
    public static final Key<Long> TRACK_MIN = fixed("track.min", "64k", Values.SIZE);
    public static final Key<Long> ARRAYS_MIN = fixed("arrays.min", "1m", Values.SIZE);
    public static final Key<List<String>> ARRAYS_INCLUDE = fixed("arrays.include", "*", Values.GLOBS);
    public static final Key<List<String>> ARRAYS_EXCLUDE = fixed("arrays.exclude", "", Values.GLOBS);
    public static final Key<Duration> HEALTH_WINDOW = fixed("health.window", "60s", Values.DURATION);
    public static final Key<Double> HEALTH_MAX_REFUSAL_RATE = fixed("health.max-refusal-rate", "1.0", Values.RATE);
    public static final Key<Long> HEALTH_MIN_HEADROOM = fixed("health.min-headroom", "5%", Values.SIZE);
    public static final Key<Integer> LOG_MAX_PER_MINUTE = fixed("log.max-per-minute", "60", Values.COUNT);
    public static final Key<Integer> NOTIFY_MAX_PER_SECOND = fixed("notify.max-per-second", "10", Values.COUNT);
    /** The rules file; named by the agent argument, a system property or the environment, never by the file. */
    public static final Key<Path> CONFIG = fixed("config", null, Values.PATH);
    /** Not valid in the rules file: a file cannot switch off the watching that would see it change back. */
    public static final Key<Boolean> CONFIG_WATCH = fixed("config.watch", "true", Values.BOOLEAN);

    public static final Key<List<String>> RULE_TARGETS = rule("targets", "*", Values.TARGETS);
    public static final Key<List<String>> RULE_CALLERS = rule("callers", "", Values.GLOBS);
    public static final Key<Long> RULE_MAX_BUFFER = rule("max-buffer", "none", Values.LIMIT);
    public static final Key<Long> RULE_LIMIT = rule("limit", "none", Values.LIMIT);

    /** Required: a scope without it is an error. */
    public static final Key<String[]> SCOPE_ENTRY = scope("entry", Values.METHOD);
    /** Required: a scope without it is an error. */
    public static final Key<Long> SCOPE_LIMIT = scope("limit", Values.SIZE);

    /** Every key that is not part of a named group. */
    static final List<Key<?>> FIXED = Collections.unmodifiableList(FIXED_KEYS);
    /** The keys of a {@code rule.<name>.*} group. */
    static final List<Key<?>> RULES = Collections.unmodifiableList(RULE_KEYS);
    /** The keys of a {@code scope.<name>.*} group. */
    static final List<Key<?>> SCOPES = Collections.unmodifiableList(SCOPE_KEYS);

    private Keys() {
    }

    private static <T> Key<T> fixed(String name, String defaultText, Values<T> parser) {
        Key<T> key = new Key<>(null, name, defaultText, parser);
        FIXED_KEYS.add(key);
        return key;
    }

    private static <T> Key<T> rule(String suffix, String defaultText, Values<T> parser) {
        Key<T> key = new Key<>(RULE, suffix, defaultText, parser);
        RULE_KEYS.add(key);
        return key;
    }

    private static <T> Key<T> scope(String suffix, Values<T> parser) {
        Key<T> key = new Key<>(SCOPE, suffix, null, parser);
        SCOPE_KEYS.add(key);
        return key;
    }

    /** The keys of the group {@code rule} or {@code scope}. */
    static List<Key<?>> ofGroup(String group) {
        return RULE.equals(group) ? RULES : SCOPES;
    }

    /** The key named as {@link Key#name()} spells it ({@code rule.*.limit}), or {@code null}. */
    static Key<?> byName(String name) {
        for (List<Key<?>> keys : List.of(FIXED, RULES, SCOPES)) {
            for (Key<?> key : keys) {
                if (key.name().equals(name)) {
                    return key;
                }
            }
        }
        return null;
    }
}

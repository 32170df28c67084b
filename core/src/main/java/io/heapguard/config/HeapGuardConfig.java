package io.heapguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration, parsed once from every source and validated. Immutable; sizes given as a
 * share of the heap are already resolved to bytes against the JVM's maximum heap.
 *
 * @param mode                   {@code mode}
 * @param heapReserveBytes       {@code heap.reserve}; 0 disables the check
 * @param globalLimitBytes       {@code global.limit}, or {@code -1} for none
 * @param trackMinBytes          {@code track.min}
 * @param rules                  the {@code rule.<name>.*} groups, sorted by name
 * @param arraysMinBytes         {@code arrays.min}: smallest array (in bytes) the {@code array} guard charges
 * @param arraysInclude          {@code arrays.include}: class-name globs the {@code array} guard instruments
 * @param arraysExclude          {@code arrays.exclude}: class-name globs it leaves alone
 * @param scopes                 the {@code scope.<name>.*} groups, sorted by name
 * @param healthWindow           {@code health.window}: the window the refusal rate is measured over
 * @param healthMaxRefusalsPerSecond {@code health.max-refusal-rate}: above it the process reports unhealthy
 * @param healthMinHeadroomBytes {@code health.min-headroom}: free heap below it reports unhealthy
 * @param logMaxPerMinute        {@code log.max-per-minute}: refusal log lines per minute, the rest counted
 * @param notifyMaxPerSecond     {@code notify.max-per-second}: JMX notifications per second, the rest counted
 * @param file                   the rules file read, or {@code null} when none was named
 * @param configWatch            {@code config.watch}: re-read {@code file} when it changes
 */
public record HeapGuardConfig(
        Mode mode,
        long heapReserveBytes,
        long globalLimitBytes,
        long trackMinBytes,
        List<RuleConfig> rules,
        long arraysMinBytes,
        List<String> arraysInclude,
        List<String> arraysExclude,
        List<ScopeConfig> scopes,
        Duration healthWindow,
        double healthMaxRefusalsPerSecond,
        long healthMinHeadroomBytes,
        int logMaxPerMinute,
        int notifyMaxPerSecond,
        Path file,
        boolean configWatch) {

    public HeapGuardConfig {
        rules = List.copyOf(rules);
        arraysInclude = List.copyOf(arraysInclude);
        arraysExclude = List.copyOf(arraysExclude);
        scopes = List.copyOf(scopes);
    }

    public RuleConfig rule(String name) {
        for (RuleConfig r : rules) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }
}

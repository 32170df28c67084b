package io.heapguard.config;

import java.util.List;

/**
 * One {@code rule.<name>.*} group, validated.
 *
 * @param name           the rule's name as written
 * @param targets        growth point target names; {@code ["*"]} for every point
 * @param callers        class-name globs of the caller; empty for any caller
 * @param maxBufferBytes the largest capacity one buffer may reach, or {@code -1} for none
 * @param limitBytes     the most bytes the covered buffers may hold at once, or {@code -1} for none
 */
public record RuleConfig(String name, List<String> targets, List<String> callers, long maxBufferBytes,
                         long limitBytes) {
    public RuleConfig {
        targets = List.copyOf(targets);
        callers = List.copyOf(callers);
    }

    /**
     * Whether the rule sets neither limit: it counts what its buffers hold (MBean, meters, events) and never
     * refuses by itself, how an operator sizes limits from production before enforcing any.
     */
    public boolean accountsOnly() {
        return maxBufferBytes < 0 && limitBytes < 0;
    }

    public boolean coversAllTargets() {
        return targets.contains("*");
    }
}

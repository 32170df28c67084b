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

    public boolean coversAllTargets() {
        return targets.contains("*");
    }
}

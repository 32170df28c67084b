package io.heapguard.agent.cli;

import io.heapguard.config.ConfigLoader;
import io.heapguard.config.Mode;
import io.heapguard.internal.Units;

import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code set <pid> key=value...}: the keys that can change live, each the MBean attribute it writes. Values
 * are parsed as a rules file's are ({@code 64m}, {@code 25%} of that JVM's heap, {@code none}), and all of
 * them before any is written, so a bad one changes nothing.
 */
final class Changes {
    static final String KEYS = "mode, heap.reserve, global.limit, rule.<name>.limit or rule.<name>.max-buffer";

    /**
     * One change, checked.
     *
     * @param key   as given, e.g. {@code rule.upload.limit}
     * @param value as written to the attribute: a mode's name, or bytes ({@code -1} for none)
     */
    record Change(String key, ObjectName bean, String attribute, Object value) {
        String shown(Object v) {
            return v instanceof Long ? ((Long) v < 0 ? "none" : Units.bytes((Long) v)) : String.valueOf(v);
        }
    }

    private Changes() {
    }

    /** The configuration key whose parser checks {@code key}'s value, or null when it cannot be set live. */
    static String type(String key) {
        switch (key) {
            case "mode":
            case "heap.reserve":
            case "global.limit":
                return key;
            default:
                if (key.startsWith("rule.") && (key.endsWith(".limit") || key.endsWith(".max-buffer"))
                        && key.lastIndexOf('.') > "rule.".length()) {
                    return "rule.*." + key.substring(key.lastIndexOf('.') + 1);
                }
                return null;
        }
    }

    /**
     * @param maxHeap the target's maximum heap, for {@code 25%}
     * @param rules   the rules in force there
     */
    static List<Change> check(List<String> pairs, long maxHeap, Set<String> rules) throws Failure {
        List<Change> changes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String key = pair.substring(0, eq).strip();
            String value = pair.substring(eq + 1);
            String type = type(key);
            if (type == null) { // Invocation.parse refuses these; here for a caller that did not
                throw rejected(key, value, "cannot be set live; expected " + KEYS);
            }
            if (!seen.add(key)) {
                throw rejected(key, value, "given twice");
            }
            Object parsed;
            try {
                parsed = ConfigLoader.parseValue(type, value, maxHeap);
            } catch (IllegalArgumentException e) {
                throw rejected(key, value, e.getMessage());
            }
            if (type.startsWith("rule.")) {
                String rule = key.substring("rule.".length(), key.lastIndexOf('.'));
                if (!rules.contains(rule)) {
                    throw rejected(key, value, "no rule named '" + rule + "' (rules in force: "
                            + (rules.isEmpty() ? "none" : String.join(", ", rules)) + ")");
                }
                changes.add(new Change(key, Beans.rule(rule), type.endsWith(".limit") ? "LimitBytes" : "MaxBufferBytes",
                        parsed));
            } else if (type.equals("mode")) {
                changes.add(new Change(key, Beans.AGENT, "Mode", ((Mode) parsed).key()));
            } else if (type.equals("heap.reserve")) {
                changes.add(new Change(key, Beans.AGENT, "HeapReserveBytes", parsed));
            } else {
                changes.add(new Change(key, Beans.GLOBAL, "LimitBytes", parsed));
            }
        }
        return changes;
    }

    private static Failure rejected(String key, String value, String reason) {
        return new Failure("set: " + key + " = '" + value + "': " + reason + "; nothing changed");
    }
}

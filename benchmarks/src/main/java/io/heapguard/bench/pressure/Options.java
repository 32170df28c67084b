package io.heapguard.bench.pressure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code -name value} pairs from a command line, each name one of those given; a name may repeat where the
 * caller reads it as a list. Parsing checks only the names, the callers check the values, both with one
 * message naming the option and the value ({@link IllegalArgumentException}).
 */
final class Options {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Options() {
    }

    static Options parse(String[] args, Set<String> known) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("-") || !known.contains(name.substring(1))) {
                throw new IllegalArgumentException("unknown option '" + name + "' (known: -" + String.join(", -", known) + ")");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException("option " + name + " has no value");
            }
            o.values.computeIfAbsent(name.substring(1), k -> new ArrayList<>()).add(args[++i]);
        }
        return o;
    }

    /** Every value given for {@code name}, in order; empty when none. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    String string(String name, String otherwise) {
        List<String> v = values.get(name);
        return v == null ? otherwise : v.get(v.size() - 1);
    }

    int integer(String name, int otherwise, int min, int max) {
        String v = string(name, null);
        if (v == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-" + name + " = '" + v + "': not a whole number from " + min + " to " + max);
    }

    /** The options given, as a command line again, for those named in {@code names}. */
    List<String> commandLine(Set<String> names) {
        List<String> line = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            if (names.contains(e.getKey())) {
                for (String v : e.getValue()) {
                    line.add("-" + e.getKey());
                    line.add(v);
                }
            }
        }
        return line;
    }
}

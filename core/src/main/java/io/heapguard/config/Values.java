package io.heapguard.config;

import io.heapguard.ledger.GrowthPoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How the text of a value becomes the value of a key, whichever source gave it, with the reason when
 * it cannot. Each parser is shared by the keys of its kind in {@link Keys}.
 *
 * <p>Loaded by the bootstrap class loader: anonymous classes rather than lambdas.
 */
final class Values {
    static final Key.Parser<Mode> MODE = new Key.Parser<Mode>() {
        @Override
        public Mode parse(String value, long maxHeap) {
            try {
                return Mode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a mode (expected enforce, monitor or off)");
            }
        }
    };

    /** A size no larger than the heap. */
    static final Key.Parser<Long> HEAP_RESERVE = new Key.Parser<Long>() {
        @Override
        public Long parse(String value, long maxHeap) {
            long reserve = Sizes.parse(value, maxHeap);
            if (maxHeap >= 0 && reserve > maxHeap) {
                // A reserve larger than the heap would refuse every tracked growth of the biggest holder.
                throw new IllegalArgumentException("more than the maximum heap (" + maxHeap + " bytes)");
            }
            return reserve;
        }
    };

    static final Key.Parser<Long> SIZE = new Key.Parser<Long>() {
        @Override
        public Long parse(String value, long maxHeap) {
            return Sizes.parse(value, maxHeap);
        }
    };

    /** A size or {@code none} ({@link Sizes#NONE}). */
    static final Key.Parser<Long> LIMIT = new Key.Parser<Long>() {
        @Override
        public Long parse(String value, long maxHeap) {
            return Sizes.parseLimit(value, maxHeap);
        }
    };

    /** Comma-separated class-name globs; empty for none. */
    static final Key.Parser<List<String>> GLOBS = new Key.Parser<List<String>>() {
        @Override
        public List<String> parse(String value, long maxHeap) {
            List<String> globs = split(value, "class-name glob");
            for (String g : globs) {
                String problem = Globs.problem(g);
                if (problem != null) {
                    throw new IllegalArgumentException(problem);
                }
            }
            return Collections.unmodifiableList(globs);
        }
    };

    /** Comma-separated growth point target names, or {@code *}. */
    static final Key.Parser<List<String>> TARGETS = new Key.Parser<List<String>>() {
        @Override
        public List<String> parse(String value, long maxHeap) {
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
                    String near = KeyNames.nearest(name, known);
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
    };

    static final Key.Parser<Duration> DURATION = new Key.Parser<Duration>() {
        @Override
        public Duration parse(String value, long maxHeap) {
            return Durations.parse(value);
        }
    };

    /** Refusals per second: a decimal number, no sign, no exponent. */
    static final Key.Parser<Double> RATE = new Key.Parser<Double>() {
        @Override
        public Double parse(String value, long maxHeap) {
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
    };

    /** A whole number from 0 to {@link Integer#MAX_VALUE}. */
    static final Key.Parser<Integer> COUNT = new Key.Parser<Integer>() {
        @Override
        public Integer parse(String value, long maxHeap) {
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
    };

    static final Key.Parser<Boolean> BOOLEAN = new Key.Parser<Boolean>() {
        @Override
        public Boolean parse(String value, long maxHeap) {
            String t = value.strip();
            if (t.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (t.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
            throw new IllegalArgumentException("not a boolean (expected true or false)");
        }
    };

    /** A file's path, made absolute and normalized. */
    static final Key.Parser<Path> PATH = new Key.Parser<Path>() {
        @Override
        public Path parse(String value, long maxHeap) {
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
    };

    /** {@code com.example.Handler#handle}: the class's binary name and the method's name. */
    static final Key.Parser<String[]> METHOD = new Key.Parser<String[]>() {
        @Override
        public String[] parse(String value, long maxHeap) {
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
    };

    private Values() {
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

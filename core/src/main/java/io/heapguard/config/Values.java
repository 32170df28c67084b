package io.heapguard.config;

import io.heapguard.ledger.GrowthPoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How the text of a value becomes the value of a key, whichever source gave it, with the reason when
 * it cannot. Each instance is one kind of value, shared by the keys of that kind in {@link Keys}.
 *
 * <p>Every core class is defined at agent start-up, on the bootstrap path: one class that switches on
 * the kind, rather than a class (lambda or anonymous) for each.
 *
 * @param <T> the parsed value's type, which {@link #parseAny} returns for the kind
 */
final class Values<T> {
    private static final int MODE_KIND = 0;
    private static final int HEAP_RESERVE_KIND = 1;
    private static final int SIZE_KIND = 2;
    private static final int LIMIT_KIND = 3;
    private static final int GLOBS_KIND = 4;
    private static final int TARGETS_KIND = 5;
    private static final int DURATION_KIND = 6;
    private static final int RATE_KIND = 7;
    private static final int COUNT_KIND = 8;
    private static final int BOOLEAN_KIND = 9;
    private static final int PATH_KIND = 10;
    private static final int METHOD_KIND = 11;

    static final Values<Mode> MODE = new Values<>(MODE_KIND);
    /** A size no larger than the heap. */
    static final Values<Long> HEAP_RESERVE = new Values<>(HEAP_RESERVE_KIND);
    static final Values<Long> SIZE = new Values<>(SIZE_KIND);
    /** A size or {@code none} ({@link Sizes#NONE}). */
    static final Values<Long> LIMIT = new Values<>(LIMIT_KIND);
    /** Comma-separated class-name globs; empty for none. */
    static final Values<List<String>> GLOBS = new Values<>(GLOBS_KIND);
    /** Comma-separated growth point target names, or {@code *}. */
    static final Values<List<String>> TARGETS = new Values<>(TARGETS_KIND);
    static final Values<Duration> DURATION = new Values<>(DURATION_KIND);
    /** Refusals per second: a decimal number, no sign, no exponent. */
    static final Values<Double> RATE = new Values<>(RATE_KIND);
    /** A whole number from 0 to {@link Integer#MAX_VALUE}. */
    static final Values<Integer> COUNT = new Values<>(COUNT_KIND);
    static final Values<Boolean> BOOLEAN = new Values<>(BOOLEAN_KIND);
    /** A file's path, made absolute and normalized. */
    static final Values<Path> PATH = new Values<>(PATH_KIND);
    /** {@code com.example.Handler#handle}: the class's binary name and the method's name. */
    static final Values<String[]> METHOD = new Values<>(METHOD_KIND);

    private final int kind;

    private Values(int kind) {
        this.kind = kind;
    }

    /**
     * @param maxHeap the maximum heap in bytes, against which {@code 25%} is resolved
     * @throws IllegalArgumentException the reason the text is not valid for the key
     */
    @SuppressWarnings("unchecked")
    T parse(String value, long maxHeap) {
        return (T) parseAny(value, maxHeap);
    }

    private Object parseAny(String value, long maxHeap) {
        switch (kind) {
            case MODE_KIND:
                return mode(value);
            case HEAP_RESERVE_KIND:
                return heapReserve(value, maxHeap);
            case SIZE_KIND:
                return Sizes.parse(value, maxHeap);
            case LIMIT_KIND:
                return Sizes.parseLimit(value, maxHeap);
            case GLOBS_KIND:
                return globs(value);
            case TARGETS_KIND:
                return targets(value);
            case DURATION_KIND:
                return Durations.parse(value);
            case RATE_KIND:
                return rate(value);
            case COUNT_KIND:
                return count(value);
            case BOOLEAN_KIND:
                return bool(value);
            case PATH_KIND:
                return path(value);
            case METHOD_KIND:
                return method(value);
            default:
                throw new IllegalStateException("no kind of value " + kind);
        }
    }

    private static Mode mode(String value) {
        try {
            return Mode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a mode (expected enforce, monitor or off)");
        }
    }

    private static Long heapReserve(String value, long maxHeap) {
        long reserve = Sizes.parse(value, maxHeap);
        if (maxHeap >= 0 && reserve > maxHeap) {
            // A reserve larger than the heap would refuse every tracked growth of the biggest holder.
            throw new IllegalArgumentException("more than the maximum heap (" + maxHeap + " bytes)");
        }
        return reserve;
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
                String near = KeyNames.nearest(name, targetNames());
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

    private static String[] targetNames() {
        GrowthPoint[] points = GrowthPoint.values();
        String[] names = new String[points.length];
        for (int i = 0; i < points.length; i++) {
            names[i] = points[i].targetName();
        }
        return names;
    }

    private static String knownTargets() {
        return String.join(", ", targetNames());
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

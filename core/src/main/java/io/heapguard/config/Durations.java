package io.heapguard.config;

import java.time.Duration;

/**
 * Durations as configuration writes them: a positive whole number of ASCII digits and a unit,
 * {@code ms}, {@code s}, {@code m} (minutes) or {@code h} (case-insensitive): {@code 500ms},
 * {@code 10s}, {@code 5m}, {@code 1h}. Surrounding blanks are ignored; anything else is rejected with
 * an {@link IllegalArgumentException} whose message is fit to be the reason of a {@link ConfigException}.
 */
public final class Durations {
    /** What a duration looks like, for messages. */
    public static final String EXPECTED = "expected e.g. 500ms, 10s, 5m or 1h";

    private Durations() {
    }

    /**
     * @return the duration, always positive and at most {@link Long#MAX_VALUE} milliseconds (so
     *         {@link Duration#toMillis()} never overflows)
     * @throws IllegalArgumentException when the text is not a positive duration
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing; " + EXPECTED);
        }
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty; " + EXPECTED);
        }
        int n = t.length();
        int unitLength;
        char unit;
        if (n >= 2 && (t.charAt(n - 1) == 's' || t.charAt(n - 1) == 'S')
                && (t.charAt(n - 2) == 'm' || t.charAt(n - 2) == 'M')) {
            unitLength = 2;
            unit = 'x';
        } else {
            unitLength = 1;
            char last = t.charAt(n - 1);
            unit = last >= 'A' && last <= 'Z' ? (char) (last - 'A' + 'a') : last;
            if (unit != 's' && unit != 'm' && unit != 'h') {
                throw new IllegalArgumentException("not a duration (" + EXPECTED + ")");
            }
        }
        int digitsEnd = n - unitLength;
        if (t.charAt(0) == '-') {
            throw new IllegalArgumentException("negative; " + EXPECTED);
        }
        if (!Sizes.asciiDigits(t, 0, digitsEnd)) {
            throw new IllegalArgumentException("not a duration (" + EXPECTED + ")");
        }
        long v = Sizes.parseDigits(t, 0, digitsEnd);
        if (v < 0) {
            throw new IllegalArgumentException("too long (at most " + Long.MAX_VALUE + "ms)");
        }
        if (v == 0) {
            throw new IllegalArgumentException("must be positive (" + EXPECTED + ")");
        }
        long unitMillis = unit == 'x' ? 1L : unit == 's' ? 1000L : unit == 'm' ? 60_000L : 3_600_000L;
        try {
            return Duration.ofMillis(Math.multiplyExact(v, unitMillis));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("too long (at most " + Long.MAX_VALUE + "ms)");
        }
    }
}

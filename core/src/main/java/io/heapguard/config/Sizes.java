package io.heapguard.config;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Sizes as configuration writes them: a number of bytes ({@code 65536}), a number with a binary unit
 * ({@code 64k}, {@code 16m}, {@code 2g}, {@code 1t}; case-insensitive; no {@code b}, no {@code kb}) or a
 * share of the maximum heap ({@code 25%}, {@code 12.5%}; 0 to 100 inclusive, rounded down to whole
 * bytes). Surrounding blanks are ignored; everything else (empty, inner blanks, a sign, a decimal point
 * outside a share, hex, digits other than ASCII {@code 0-9}, overflow beyond {@link Long#MAX_VALUE}) is
 * rejected with an {@link IllegalArgumentException} whose message says what is wrong and what is
 * accepted, fit to be the reason of a {@link ConfigException}.
 *
 * <p>Loaded by the bootstrap class loader: plain JDK, no lambdas.
 */
public final class Sizes {
    /** What a size looks like, for messages. */
    public static final String EXPECTED = "expected e.g. 65536, 64k, 16m, 2g or 25%";
    /** What a limit looks like, for messages. */
    public static final String EXPECTED_LIMIT = "expected e.g. 65536, 64k, 16m, 2g, 25% or none";
    /** The value {@link #parseLimit} returns for {@code none}. */
    public static final long NONE = -1L;


    private Sizes() {
    }

    /**
     * Parses a size.
     *
     * @param text         the size as written
     * @param maxHeapBytes the maximum heap, against which a share ({@code 25%}) is resolved
     * @return the size in bytes, {@code >= 0}
     * @throws IllegalArgumentException when the text is not a size
     */
    public static long parse(String text, long maxHeapBytes) {
        return parse(text, maxHeapBytes, false);
    }

    /**
     * Parses a limit: a size, or {@code none} (any case) for no limit.
     *
     * @return the limit in bytes, or {@link #NONE} ({@code -1})
     * @throws IllegalArgumentException when the text is neither a size nor {@code none}
     */
    public static long parseLimit(String text, long maxHeapBytes) {
        return parse(text, maxHeapBytes, true);
    }

    private static long parse(String text, long maxHeapBytes, boolean noneAllowed) {
        String expected = noneAllowed ? EXPECTED_LIMIT : EXPECTED;
        if (text == null) {
            throw new IllegalArgumentException("missing; " + expected);
        }
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty; " + expected);
        }
        if (noneAllowed && t.equalsIgnoreCase("none")) {
            return NONE;
        }
        char first = t.charAt(0);
        if (first == '-') {
            throw new IllegalArgumentException("negative; " + expected);
        }
        int n = t.length();
        char last = t.charAt(n - 1);
        if (last == '%') {
            return percent(t.substring(0, n - 1), maxHeapBytes, expected);
        }
        long unit = 1L;
        int digitsEnd = n;
        switch (last) {
            case 'k':
            case 'K':
                unit = 1L << 10;
                digitsEnd = n - 1;
                break;
            case 'm':
            case 'M':
                unit = 1L << 20;
                digitsEnd = n - 1;
                break;
            case 'g':
            case 'G':
                unit = 1L << 30;
                digitsEnd = n - 1;
                break;
            case 't':
            case 'T':
                unit = 1L << 40;
                digitsEnd = n - 1;
                break;
            default:
                break;
        }
        if (digitsEnd == 0 || !asciiDigits(t, 0, digitsEnd)) {
            throw new IllegalArgumentException("not a size (" + expected + ")");
        }
        long number = parseDigits(t, 0, digitsEnd);
        if (number < 0 || number > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("too large (at most " + Long.MAX_VALUE + " bytes)");
        }
        return number * unit;
    }

    private static long percent(String number, long maxHeapBytes, String expected) {
        int dot = number.indexOf('.');
        boolean ok;
        if (dot < 0) {
            ok = number.length() > 0 && asciiDigits(number, 0, number.length());
        } else {
            ok = dot > 0 && dot < number.length() - 1 && asciiDigits(number, 0, dot)
                    && asciiDigits(number, dot + 1, number.length());
        }
        if (!ok) {
            throw new IllegalArgumentException("not a size (" + expected + ")");
        }
        if (dot < 0 && number.length() <= 3) {
            // The common case (and every default): whole percentages in long arithmetic, because
            // BigDecimal drags BigInteger and more into start-up (about 15 ms on JDK 25).
            long whole = parseDigits(number, 0, number.length());
            if (whole > 100) {
                throw new IllegalArgumentException("more than 100% of the heap");
            }
            requireKnownHeap(maxHeapBytes);
            return maxHeapBytes / 100 * whole + maxHeapBytes % 100 * whole / 100; // floor, no overflow
        }
        BigDecimal hundred = BigDecimal.valueOf(100);
        BigDecimal share = new BigDecimal(number);
        if (share.compareTo(hundred) > 0) {
            throw new IllegalArgumentException("more than 100% of the heap");
        }
        requireKnownHeap(maxHeapBytes);
        return share.multiply(BigDecimal.valueOf(maxHeapBytes))
                .divide(hundred)
                .setScale(0, RoundingMode.FLOOR)
                .longValueExact();
    }

    private static void requireKnownHeap(long maxHeapBytes) {
        if (maxHeapBytes < 0) {
            throw new IllegalArgumentException("a share of the heap needs the maximum heap size, which is unknown");
        }
    }

    /** Whether {@code s[from, to)} is non-empty and all ASCII {@code 0-9} (not any Unicode digit). */
    static boolean asciiDigits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The ASCII digits {@code s[from, to)} as a long, or {@code -1} on overflow. */
    static long parseDigits(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** A size as the shortest exact text {@link #parse} reads back: {@code 64k}, {@code 16m}, {@code 1000}. */
    public static String format(long bytes) {
        if (bytes < 0) {
            return "none";
        }
        if (bytes == 0) {
            return "0";
        }
        String[] units = {"t", "g", "m", "k"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes % unit == 0) {
                return (bytes / unit) + units[i];
            }
        }
        return Long.toString(bytes);
    }
}

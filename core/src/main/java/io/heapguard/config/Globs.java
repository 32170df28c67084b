package io.heapguard.config;

/**
 * Class-name globs of {@code rule.<name>.callers}, {@code arrays.include} and {@code arrays.exclude}:
 * a binary class name ({@code com.example.upload.Uploader}, {@code com.example.Outer$Inner}) in which
 * {@code *} matches any run of characters, dots included, and {@code ?} exactly one character.
 * Matching is case-sensitive, as class names are.
 */
public final class Globs {
    private Globs() {
    }

    /**
     * @return {@code null} when the glob is valid, else what is wrong with it (for a message)
     */
    public static String problem(String glob) {
        if (glob == null || glob.isEmpty()) {
            return "empty class-name glob";
        }
        int n = glob.length();
        for (int i = 0; i < n; i++) {
            char c = glob.charAt(i);
            if (c == '.') {
                if (i == 0 || i == n - 1 || glob.charAt(i - 1) == '.') {
                    return "misplaced '.' in class-name glob '" + glob + "'";
                }
            } else if (c != '*' && c != '?' && c != '$'
                    && !(Character.isJavaIdentifierPart(c) && !Character.isIdentifierIgnorable(c))) {
                return "invalid character '" + c + "' in class-name glob '" + glob
                        + "' (expected a class name with * and ?, e.g. com.example.upload.*)";
            }
        }
        return null;
    }

    /** Whether the binary class name matches the glob ({@code *}: any run, {@code ?}: one character). */
    public static boolean matches(String glob, String className) {
        int g = 0;
        int s = 0;
        int starG = -1;
        int starS = 0;
        int gn = glob.length();
        int sn = className.length();
        while (s < sn) {
            if (g < gn) {
                char gc = glob.charAt(g);
                if (gc == '*') {
                    starG = g++;
                    starS = s;
                    continue;
                }
                if (gc == '?' || gc == className.charAt(s)) {
                    g++;
                    s++;
                    continue;
                }
            }
            if (starG < 0) {
                return false;
            }
            g = starG + 1;
            s = ++starS;
        }
        while (g < gn && glob.charAt(g) == '*') {
            g++;
        }
        return g == gn;
    }

    /** Whether any of the globs matches the class name. */
    public static boolean matchesAny(java.util.List<String> globs, String className) {
        for (int i = 0, n = globs.size(); i < n; i++) {
            if (matches(globs.get(i), className)) {
                return true;
            }
        }
        return false;
    }
}

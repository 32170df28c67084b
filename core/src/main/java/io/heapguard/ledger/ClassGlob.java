package io.heapguard.ledger;

/**
 * A class-name glob: {@code *} matches any run of characters, dots included ({@code com.example.*}
 * covers every sub-package), {@code ?} exactly one. Matching allocates nothing.
 */
public final class ClassGlob {
    private final String pattern;

    public ClassGlob(String pattern) {
        this.pattern = pattern;
    }

    public boolean matches(String className) {
        return matches(pattern, 0, className, 0);
    }

    private static boolean matches(String p, int pi, String s, int si) {
        // Iterative wildcard matching with single-star backtracking: linear for ordinary patterns.
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}

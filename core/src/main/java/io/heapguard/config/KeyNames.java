package io.heapguard.config;

import java.util.List;

/**
 * How each source spells the keys of {@link Keys}, and "did you mean" for the rest.
 */
final class KeyNames {
    static final String ENV_PREFIX = "HEAPGUARD_";
    static final String PROPERTY_PREFIX = "heapguard.";

    private static final String RULE = Keys.RULE;
    private static final String SCOPE = Keys.SCOPE;
    private static final String[] FIXED = names(Keys.FIXED);
    private static final String[] RULE_SUFFIXES = names(Keys.RULES);
    private static final String[] SCOPE_SUFFIXES = names(Keys.SCOPES);
    private static final String KNOWN = known();

    private KeyNames() {
    }

    /** A key as a source wrote it: which key, and for a rule or scope the name of its group. */
    static final class KeyName {
        final Key<?> key;
        /** For a rule or scope: its name (from the environment, possibly not yet matched); else null. */
        final String group;

        KeyName(Key<?> key, String group) {
            this.key = key;
            this.group = group;
        }
    }

    /** For a fixed key its name; for a key of a group, the part after the group's name. */
    private static String[] names(List<Key<?>> keys) {
        String[] names = new String[keys.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = keys.get(i).suffix();
        }
        return names;
    }

    /** {@code known keys: mode, heap.reserve, ..., rule.<name>.targets|callers|max-buffer|limit, scope.<name>.entry|limit}. */
    private static String known() {
        StringBuilder sb = new StringBuilder("known keys: ");
        for (String f : FIXED) {
            sb.append(f).append(", ");
        }
        sb.append(RULE).append(".<name>.").append(String.join("|", RULE_SUFFIXES));
        sb.append(", ").append(SCOPE).append(".<name>.").append(String.join("|", SCOPE_SUFFIXES));
        return sb.toString();
    }

    /** The suffixes of the group {@code rule} or {@code scope}. */
    private static String[] suffixes(String word) {
        return RULE.equals(word) ? RULE_SUFFIXES : SCOPE_SUFFIXES;
    }

    /** The key whose {@link Key#suffix()} is {@code suffix}, or {@code null}. */
    private static Key<?> bySuffix(List<Key<?>> keys, String suffix) {
        for (Key<?> key : keys) {
            if (key.suffix().equals(suffix)) {
                return key;
            }
        }
        return null;
    }

    /**
     * Understands a key as written in a rules file, an agent argument or (without its prefix) a
     * system property.
     *
     * @param prefix how the source spells keys before the key itself ({@code heapguard.} for system
     *               properties), used in suggestions
     * @throws IllegalArgumentException whose message says why the key is not known, with a suggestion
     */
    static KeyName classify(String key, String prefix) {
        Key<?> fixed = bySuffix(Keys.FIXED, key);
        if (fixed != null) {
            return new KeyName(fixed, null);
        }
        String word = key.startsWith(RULE + ".") ? RULE : key.startsWith(SCOPE + ".") ? SCOPE : null;
        if (word != null) {
            String[] suffixes = suffixes(word);
            String rest = key.substring(word.length() + 1);
            int dot = rest.lastIndexOf('.');
            if (dot < 0) {
                String base = rest.isEmpty() ? prefix + word + ".<name>" : prefix + key;
                throw new IllegalArgumentException("incomplete key; expected " + alternatives(base, suffixes));
            }
            String name = rest.substring(0, dot);
            String suffix = rest.substring(dot + 1);
            Key<?> groupKey = bySuffix(Keys.ofGroup(word), suffix);
            if (groupKey == null) {
                String near = nearest(suffix, suffixes);
                if (near != null) {
                    throw new IllegalArgumentException("unknown key; did you mean '" + prefix + word + "." + name
                            + "." + near + "'?");
                }
                throw new IllegalArgumentException("unknown key; expected "
                        + alternatives(prefix + word + "." + name, suffixes));
            }
            String bad = nameProblem(word, name);
            if (bad != null) {
                throw new IllegalArgumentException(bad);
            }
            return new KeyName(groupKey, name);
        }
        throw new IllegalArgumentException(unknown(key, prefix));
    }

    /** The reason for an unknown key, with the nearest known key when there is one. */
    private static String unknown(String key, String prefix) {
        if (key.isEmpty()) {
            return "empty key; " + KNOWN;
        }
        if (key.startsWith(PROPERTY_PREFIX)) {
            String inner = key.substring(PROPERTY_PREFIX.length());
            if (isKnownShape(inner)) {
                return "unknown key; did you mean '" + prefix + inner + "'? (the '" + PROPERTY_PREFIX
                        + "' prefix is only for system properties)";
            }
        }
        String best = nearest(key, FIXED);
        int bestDistance = best == null ? Integer.MAX_VALUE : distance(key, best);
        // rules.x.limit, rlue.x.max-bufer, scop.x.entry
        int first = key.indexOf('.');
        int last = key.lastIndexOf('.');
        if (first > 0 && last > first + 1 && last < key.length() - 1) {
            String head = key.substring(0, first);
            String name = key.substring(first + 1, last);
            String suffix = key.substring(last + 1);
            String[] words = {RULE, SCOPE};
            for (String word : words) {
                int dh = distance(head, word);
                if (dh > 1 && !(dh == 2 && head.length() > 4)) {
                    continue;
                }
                String[] suffixes = suffixes(word);
                for (String s : suffixes) {
                    int ds = distance(suffix, s);
                    if (close(ds, s) && dh + ds < bestDistance) {
                        best = word + "." + name + "." + s;
                        bestDistance = dh + ds;
                    }
                }
            }
        }
        if (best != null) {
            return "unknown key; did you mean '" + prefix + best + "'?";
        }
        return "unknown key; " + KNOWN;
    }

    private static boolean isKnownShape(String key) {
        try {
            classify(key, "");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The key an environment variable sets; the name of a rule or scope is as written, to be matched later. */
    static KeyName classifyEnv(String variable) {
        String rest = variable.substring(ENV_PREFIX.length());
        String up = asciiUpper(rest);
        for (Key<?> key : Keys.FIXED) {
            if (env(key.name()).equals(up)) {
                return new KeyName(key, null);
            }
        }
        String[] words = {RULE, SCOPE};
        for (String word : words) {
            String w = env(word) + "_";
            if (!up.startsWith(w)) {
                continue;
            }
            String[] suffixes = suffixes(word);
            String tail = rest.substring(w.length());
            String tailUp = up.substring(w.length());
            for (String s : suffixes) {
                String es = "_" + env(s);
                if (tailUp.endsWith(es) && tailUp.length() > es.length()) {
                    String name = tail.substring(0, tail.length() - es.length());
                    String bad = nameProblem(word, name);
                    if (bad != null) {
                        throw new IllegalArgumentException(bad);
                    }
                    return new KeyName(bySuffix(Keys.ofGroup(word), s), name);
                }
            }
            String near = nearestEnvGroupKey(tailUp, suffixes);
            if (near != null) {
                throw new IllegalArgumentException("unknown variable; did you mean '" + ENV_PREFIX + w + near + "'?");
            }
            throw new IllegalArgumentException("unknown variable; expected " + ENV_PREFIX + w + "<NAME>_"
                    + envAlternatives(suffixes));
        }
        // distance() ignores case and takes '.', '-' and '_' as one: a key is as near as its env() spelling
        String nearFixed = nearest(up, FIXED);
        String best = nearFixed == null ? null : ENV_PREFIX + env(nearFixed);
        for (String word : words) {
            // RULES_UPLOAD_LIMIT, SCOPES_X_ENTRY
            int us = up.indexOf('_');
            if (us > 0 && distance(up.substring(0, us), env(word)) == 1) {
                String[] suffixes = suffixes(word);
                String near = nearestEnvGroupKey(up.substring(us + 1), suffixes);
                if (near != null && best == null) {
                    best = ENV_PREFIX + env(word) + "_" + near;
                }
            }
        }
        if (best != null) {
            throw new IllegalArgumentException("unknown variable; did you mean '" + best + "'?");
        }
        throw new IllegalArgumentException("unknown variable; expected HEAPGUARD_ followed by a key with dots and"
                + " dashes as _, e.g. HEAPGUARD_MODE, HEAPGUARD_HEAP_RESERVE or HEAPGUARD_RULE_<NAME>_MAX_BUFFER");
    }

    /** For {@code UPLOAD_MAXBUFFER}: {@code UPLOAD_MAX_BUFFER}; null when no split is close to a suffix. */
    private static String nearestEnvGroupKey(String tailUp, String[] suffixes) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (int i = tailUp.indexOf('_'); i > 0; i = tailUp.indexOf('_', i + 1)) {
            String name = tailUp.substring(0, i);
            String suffix = tailUp.substring(i + 1);
            for (String s : suffixes) {
                String es = env(s);
                int d = distance(suffix, es);
                if (d < bestDistance && close(d, es)) {
                    best = name + "_" + es;
                    bestDistance = d;
                }
            }
        }
        return best;
    }

    /** What is wrong with the name of a rule or scope, or {@code null}. */
    private static String nameProblem(String word, String name) {
        if (name.isEmpty()) {
            return "missing " + word + " name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-';
            if (!ok) {
                return "invalid " + word + " name '" + name + "' (letters, digits, '_' and '-' only)";
            }
        }
        return null;
    }

    /** How the environment spells a key: {@code health.max-refusal-rate} is {@code HEALTH_MAX_REFUSAL_RATE}. */
    private static String env(String key) {
        return asciiUpper(key).replace('.', '_').replace('-', '_');
    }

    /** Upper case of ASCII letters only, so that the length never changes. */
    static String asciiUpper(String s) {
        return shiftAscii(s, 'a', 'A');
    }

    /** Lower case of ASCII letters only. */
    static String asciiLower(String s) {
        return shiftAscii(s, 'A', 'a');
    }

    /** {@code s} with each ASCII letter from {@code from} to {@code from + 25} moved to the same one from {@code to}. */
    private static String shiftAscii(String s, char from, char to) {
        char[] cs = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= from && c <= from + 25) {
                if (cs == null) {
                    cs = s.toCharArray();
                }
                cs[i] = (char) (c - from + to);
            }
        }
        return cs == null ? s : new String(cs);
    }

    private static String alternatives(String base, String[] suffixes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < suffixes.length; i++) {
            if (i > 0) {
                sb.append(i == suffixes.length - 1 ? " or " : ", ");
            }
            sb.append(base).append('.').append(suffixes[i]);
        }
        return sb.toString();
    }

    private static String envAlternatives(String[] suffixes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < suffixes.length; i++) {
            if (i > 0) {
                sb.append('|');
            }
            sb.append(env(suffixes[i]));
        }
        return sb.toString();
    }

    /** The value closest to {@code s}, if close enough to be a likely typo; else {@code null}. */
    static String nearest(String s, String[] values) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String v : values) {
            int d = distance(s, v);
            if (d < bestDistance && close(d, v)) {
                best = v;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Whether an edit distance to {@code candidate} is small enough to suggest it. */
    private static boolean close(int distance, String candidate) {
        return distance <= 2 && distance * 3 <= candidate.length();
    }

    /**
     * Edit distance (Levenshtein, a swap of neighbours counting as one edit) ignoring ASCII case, with {@code -}, {@code _} and {@code .} counted as
     * equal (they are the usual slips between the sources' spellings); capped for long inputs.
     */
    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 200) {
            return Integer.MAX_VALUE / 2;
        }
        int[] before = new int[b.length() + 1];
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            char ca = fold(a.charAt(i - 1));
            for (int j = 1; j <= b.length(); j++) {
                char cb = fold(b.charAt(j - 1));
                int cost = ca == cb ? 0 : 1;
                int d = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && ca == fold(b.charAt(j - 2)) && fold(a.charAt(i - 2)) == cb) {
                    d = Math.min(d, before[j - 2] + 1); // two neighbours swapped
                }
                cur[j] = d;
            }
            int[] t = before;
            before = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static char fold(char c) {
        if (c >= 'A' && c <= 'Z') {
            return (char) (c - 'A' + 'a');
        }
        if (c == '_' || c == '.') {
            return '-';
        }
        return c;
    }
}

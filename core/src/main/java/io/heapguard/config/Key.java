package io.heapguard.config;

/**
 * One configuration key: its name as a rules file writes it, how a value is parsed and checked, and the
 * value it has when no source sets it. {@link Keys} holds every key; the sources, the list of known keys
 * in error messages and the defaults all follow from there.
 *
 * @param <T> the parsed value's type
 */
public final class Key<T> {
    private final String name;
    private final String group;
    private final String suffix;
    private final String defaultText;
    private final Values<T> parser;

    /**
     * @param group       {@code rule} or {@code scope} for a key of a named group, else {@code null}
     * @param suffix      the key itself, or for a group the part after its name ({@code max-buffer})
     * @param defaultText the default as a user would write it, parsed like any value; {@code null}
     *                    when the key has none
     */
    Key(String group, String suffix, String defaultText, Values<T> parser) {
        this.name = group == null ? suffix : group + ".*." + suffix;
        this.group = group;
        this.suffix = suffix;
        this.defaultText = defaultText;
        this.parser = parser;
    }

    /** The key as a rules file writes it; for a rule or scope with {@code *} for the name ({@code rule.*.limit}). */
    public String name() {
        return name;
    }

    /** {@code rule} or {@code scope} for a key of a named group, else {@code null}. */
    String group() {
        return group;
    }

    /** The key itself, or for a key of a group the part after the group's name. */
    String suffix() {
        return suffix;
    }

    /**
     * The key as written for the group named {@code groupName}: {@code rule.upload.limit}; for a key
     * outside any group, its name.
     */
    String spelled(String groupName) {
        return group == null ? name : group + "." + groupName + "." + suffix;
    }

    /** @throws IllegalArgumentException the reason the text is not valid for this key */
    T parse(String text, long maxHeap) {
        return parser.parse(text, maxHeap);
    }

    /** The value when no source sets the key, or {@code null} when it has no default. */
    T defaultValue(long maxHeap) {
        return defaultText == null ? null : parser.parse(defaultText, maxHeap);
    }

    /** A value this key parsed, typed. */
    @SuppressWarnings("unchecked")
    T cast(Object parsed) {
        return (T) parsed;
    }

    @Override
    public String toString() {
        return name;
    }
}

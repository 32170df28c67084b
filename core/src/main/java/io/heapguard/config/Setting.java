package io.heapguard.config;

/** One value as one source gave it, parsed. */
final class Setting {
    /** Where it came from, as error messages name it: {@code file /etc/hg.properties line 3}. */
    final String source;
    /** The key as the source wrote it (for the environment, the group's name as written, not yet matched). */
    final KeyNames.KeyName name;
    /**
     * For a rule or scope, its name (from the environment, lower-cased until
     * {@link SourceReader#resolveEnvironmentNames} matches it); else null.
     */
    String group;
    /** The value as given. */
    final String value;
    final Object parsed;

    Setting(String source, KeyNames.KeyName name, String group, String value, long maxHeap) throws ConfigException {
        this.source = source;
        this.name = name;
        this.group = group;
        this.value = value;
        try {
            this.parsed = name.key.parse(value, maxHeap);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, spelled(), value, e.getMessage());
        }
    }

    /** The key as a rules file would write it: {@code rule.upload.limit}. */
    String spelled() {
        return name.key.spelled(group);
    }

    ConfigException problem(String reason) {
        return new ConfigException(source, spelled(), value, reason);
    }
}

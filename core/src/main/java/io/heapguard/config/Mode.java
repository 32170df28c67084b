package io.heapguard.config;

import java.util.Locale;

/** What the agent does when a growth would break a quota. */
public enum Mode {
    /** Refuse the growth with {@link io.heapguard.QuotaExceededException}. */
    ENFORCE,
    /** Count and log what would be refused; never refuse. */
    MONITOR,
    /** Install nothing (at start-up); charge and check nothing (when set live). */
    OFF;

    /** The spelling used in configuration and JMX: {@code enforce}, {@code monitor}, {@code off}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code enforce}, {@code monitor} or {@code off}, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Mode parse(String text) {
        if (text != null) {
            String t = text.strip();
            for (Mode m : values()) {
                if (m.key().equalsIgnoreCase(t)) {
                    return m;
                }
            }
        }
        throw new IllegalArgumentException("expected one of enforce, monitor, off");
    }
}

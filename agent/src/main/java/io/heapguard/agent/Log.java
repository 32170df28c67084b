package io.heapguard.agent;

/**
 * The agent's own warnings: one line each, through {@link System.Logger} {@code io.heapguard}. The
 * logger is looked up on the first warning only, so a start-up without warnings loads no logging.
 */
public final class Log {
    public static final String LOGGER = "io.heapguard";

    private Log() {
    }

    public static void info(String line) {
        System.getLogger(LOGGER).log(System.Logger.Level.INFO, line);
    }

    public static void warn(String line) {
        System.getLogger(LOGGER).log(System.Logger.Level.WARNING, line);
    }
}

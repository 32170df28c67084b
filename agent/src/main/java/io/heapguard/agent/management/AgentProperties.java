package io.heapguard.agent.management;

/**
 * System properties of the guarded JVM through which the command line, in another process, learns over the
 * Attach API whether heapguard is loaded, in which mode, and why an attach was refused, without starting JMX
 * in that JVM. Outside {@code heapguard.*}, which the configuration reads as keys.
 */
public final class AgentProperties {
    /** The agent's version, set once heapguard is installed. */
    public static final String VERSION = "io.heapguard.agent.version";
    /** The mode now, kept up to date by live writes and reloads. */
    public static final String MODE = "io.heapguard.agent.mode";
    /** The one-line configuration error of the last attach that installed nothing; cleared by the next attempt. */
    public static final String ATTACH_ERROR = "io.heapguard.agent.attach-error";

    private AgentProperties() {
    }

    public static void installed(String version, String mode) {
        System.clearProperty(ATTACH_ERROR);
        System.setProperty(MODE, mode);
        System.setProperty(VERSION, version);
    }

    static void mode(String mode) {
        System.setProperty(MODE, mode);
    }

    public static void clearAttachError() {
        System.clearProperty(ATTACH_ERROR);
    }

    public static void attachRefused(String message) {
        System.setProperty(ATTACH_ERROR, message);
    }
}

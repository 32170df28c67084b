package io.heapguard.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point for {@code -javaagent} ({@link #premain}), attach ({@link #agentmain}) and
 * {@code Launcher-Agent-Class} (also {@link #agentmain}, called by the launcher before {@code main}).
 *
 * <p>This class must not mention any core ({@code io.heapguard.*} outside {@code io.heapguard.agent})
 * type: the core classes do not exist until {@link BootInjector} has defined them in the bootstrap class
 * loader, and a verifier that loaded one early would make the application class loader look for it.
 * Everything that touches core lives in {@link Startup}, which is only linked after the injection.
 */
public final class AgentMain {
    /** A class every core build has; if the bootstrap loader already defines it, core is in place. */
    private static final String LEDGER = "io.heapguard.ledger.Ledger";

    private AgentMain() {
    }

    public static void premain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst, true);
    }

    public static void agentmain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst, false);
    }

    private static void start(String agentArgs, Instrumentation inst, boolean premain) {
        try {
            // Core classes may already be in the bootstrap loader: a second -javaagent, a re-attach after
            // a refused configuration, or core on -Xbootclasspath/a. Startup tells them apart.
            Object referenceProcessingWaiter = BootInjector.inject(inst, !definedInBootLoader(LEDGER));
            Startup.start(agentArgs, inst, premain, referenceProcessingWaiter);
        } catch (Throwable t) {
            // A bug or a JVM we cannot handle, never a configuration error (Startup reports those).
            System.err.println("heapguard: the agent failed to start: " + t);
            t.printStackTrace();
            if (premain || calledByLauncher()) {
                exit(1);
            }
        }
    }

    /**
     * Whether this {@code agentmain} runs as the {@code Launcher-Agent-Class} of an application jar,
     * i.e. at start-up like {@code premain}, rather than through attach. Only asked on an error path.
     */
    static boolean calledByLauncher() {
        for (StackTraceElement e : new Throwable().getStackTrace()) {
            if ("sun.launcher.LauncherHelper".equals(e.getClassName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops the JVM during start-up. {@code System.exit} works from {@code premain} on JDK 17 and 25
     * (exit status as given, nothing else printed) and still runs the JDK's own shutdown hooks, such as
     * {@code deleteOnExit}.
     */
    static void exit(int status) {
        System.err.flush();
        System.exit(status);
    }

    static boolean definedInBootLoader(String className) {
        try {
            Class.forName(className, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}

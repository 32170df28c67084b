package io.heapguard.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point for {@code -javaagent} ({@link #premain}), attach ({@link #agentmain}) and
 * {@code Launcher-Agent-Class} (also {@link #agentmain}, called by the launcher before {@code main}).
 *
 * <p>This class must not mention any core ({@code io.heapguard.*} outside {@code io.heapguard.agent})
 * type, nor any agent class that {@link BootInjector} defines with core: none exists until the injection
 * has defined it in the bootstrap class loader, and a verifier that loaded one early would make the
 * application class loader load its own copy. Everything else lives behind {@link Startup}, which is
 * public (it is in another runtime package once defined there) and only linked after the injection.
 */
public final class AgentMain {
    /** A class every core build has; if the bootstrap loader already defines it, core is in place. */
    private static final String LEDGER = "io.heapguard.ledger.Ledger";
    /** The agent class that starts the rest; if the bootstrap loader defines it, it defines the others too. */
    private static final String STARTUP = "io.heapguard.agent.Startup";

    private AgentMain() {
    }

    public static void premain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst, true);
    }

    public static void agentmain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst, false);
    }

    private static void start(String agentArgs, Instrumentation inst, boolean premain) {
        boolean atStartUp = premain || calledByLauncher();
        try {
            // Core classes may already be in the bootstrap loader: a second -javaagent, a re-attach after
            // a refused configuration, or core on -Xbootclasspath/a. Startup tells them apart.
            Object referenceProcessingWaiter = BootInjector.inject(inst, !definedInBootLoader(LEDGER),
                    !definedInBootLoader(STARTUP));
            Startup.start(agentArgs, inst, premain, atStartUp, referenceProcessingWaiter, version());
        } catch (Throwable t) {
            // A bug or a JVM we cannot handle, never a configuration error (Startup reports those).
            System.err.println("heapguard: the agent failed to start: " + t);
            t.printStackTrace();
            if (atStartUp) {
                exit(1);
            }
        }
    }

    /** The agent jar's {@code Implementation-Version}; the bootstrap loader does not read manifests. */
    private static String version() {
        String v = AgentMain.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /**
     * Whether this {@code agentmain} runs as the {@code Launcher-Agent-Class} of an application jar,
     * i.e. at start-up like {@code premain}, rather than through attach.
     */
    static boolean calledByLauncher() {
        for (StackTraceElement e : new Throwable().getStackTrace()) {
            if ("sun.launcher.LauncherHelper".equals(e.getClassName())) {
                return true;
            }
        }
        return false;
    }

    /** Stops the JVM during start-up, as {@code Startup} does. */
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

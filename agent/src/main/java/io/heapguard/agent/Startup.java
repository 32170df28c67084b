package io.heapguard.agent;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import io.heapguard.agent.arrays.ArrayGuard;
import io.heapguard.agent.arrays.ArrayTransformer;
import io.heapguard.agent.hooks.Advices;
import io.heapguard.agent.hooks.GrowthTransformer;
import io.heapguard.agent.hooks.WarningSink;
import io.heapguard.agent.management.AgentProperties;
import io.heapguard.agent.management.Management;
import io.heapguard.agent.netty.NettyBuffers;
import io.heapguard.agent.scopes.ScopeEntries;
import io.heapguard.config.ConfigException;
import io.heapguard.config.ConfigLoader;
import io.heapguard.config.ConfigSources;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.config.RuleConfig;
import io.heapguard.ledger.Ledger;

/**
 * The start-up path shared by {@code premain}, {@code agentmain} and {@code Launcher-Agent-Class}, run
 * once the core classes are defined in the bootstrap class loader: configuration, ledger, hooks. Public:
 * {@code AgentMain} stays in the application class loader, a runtime package apart once this class is
 * defined in the bootstrap loader.
 */
public final class Startup {

    private Startup() {
    }

    /**
     * @param premain                   {@code -javaagent} rather than {@code agentmain}
     * @param atStartUp                 {@code premain} or the {@code Launcher-Agent-Class}: a bad
     *                                  configuration stops the JVM; attached, it is reported and nothing
     *                                  is installed
     * @param referenceProcessingWaiter a {@code Callable<Boolean>} (see {@code JdkInternals}), or {@code null}
     * @param version                   the agent jar's {@code Implementation-Version}
     */
    public static void start(String agentArgs, Instrumentation inst, boolean premain, boolean atStartUp,
                             Object referenceProcessingWaiter, String version) {
        if (Ledger.current() != null) {
            System.err.println("heapguard: already running in this JVM; this agent is not loaded again");
            return;
        }
        AgentProperties.clearAttachError();
        ConfigSources sources = new ConfigSources(agentArgs, systemProperties(), System.getenv(),
                Runtime.getRuntime().maxMemory());
        HeapGuardConfig config;
        try {
            config = ConfigLoader.load(sources);
        } catch (ConfigException e) {
            System.err.println("heapguard: " + e.getMessage());
            if (atStartUp) {
                exit(1);
            }
            // Attached: nothing is installed, and the command line reads why from here.
            AgentProperties.attachRefused(e.getMessage());
            return;
        }
        if (config.mode() == Mode.OFF) {
            return;
        }
        for (RuleConfig rule : config.rules()) {
            if (rule.accountsOnly()) {
                Log.info("heapguard: rule " + rule.name() + " sets neither max-buffer nor limit: it counts what"
                        + " its buffers hold and never refuses by itself");
            }
        }
        JdkPlatform platform = new JdkPlatform(referenceProcessingWaiter instanceof Callable
                ? asCallable(referenceProcessingWaiter) : null);
        Ledger ledger = Ledger.install(config, platform);
        installHooks(inst);
        NettyBuffers.install(inst, !premain);
        ScopeEntries.install(inst, config);
        ArrayTransformer arrays = ArrayGuard.install(inst, config);
        AgentProperties.installed(version, config.mode().key());
        Management.startInBackground(ledger, sources, version, new WarmUp(platform, arrays));
    }

    /**
     * Stops the JVM during start-up. {@code System.exit} works from {@code premain} on JDK 17 and 25
     * (exit status as given, nothing else printed) and still runs the JDK's own shutdown hooks, such as
     * {@code deleteOnExit}.
     */
    private static void exit(int status) {
        System.err.flush();
        System.exit(status);
    }

    /**
     * Registers the transformer, then retransforms the target classes, loading them first if need be so
     * that each is instrumented by exactly one (re)transformation. All in one retransformation (one pass
     * of the JVM over the loaded classes); should that fail, class by class, so that one failure keeps
     * the others.
     */
    private static void installHooks(Instrumentation inst) {
        GrowthTransformer transformer = new GrowthTransformer(Advices.all(), WarningSink.LOG);
        List<Class<?>> targets = new ArrayList<>();
        for (String name : transformer.targetClassNames()) {
            try {
                targets.add(Class.forName(name, false, null));
            } catch (ClassNotFoundException | LinkageError e) {
                Log.warn("heapguard: " + name + " is not in this JDK; its growth points are not guarded");
            }
        }
        inst.addTransformer(transformer, true);
        try {
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
        } catch (Exception | LinkageError all) {
            for (Class<?> c : targets) {
                try {
                    inst.retransformClasses(c);
                } catch (Exception | LinkageError e) {
                    transformer.disable(c.getName());
                    Log.warn("heapguard: could not instrument " + c.getName() + " (" + e
                            + "); its growth points are not guarded");
                }
            }
        }
    }

    /**
     * What is best done before the first growth needs it, on the background thread: the heap's layout
     * (java.management) and the array guard's ASM. A class rather than a lambda (start-up).
     */
    private static final class WarmUp implements Runnable {
        private final JdkPlatform platform;
        private final ArrayTransformer arrays;

        WarmUp(JdkPlatform platform, ArrayTransformer arrays) {
            this.platform = platform;
            this.arrays = arrays;
        }

        @Override
        public void run() {
            if (arrays != null) {
                arrays.warmUp();
            }
            platform.learnLayout();
        }
    }

    @SuppressWarnings("unchecked")
    private static Callable<Boolean> asCallable(Object o) {
        return (Callable<Boolean>) o;
    }

    /** {@link System#getProperties()} as a map of strings, read once. */
    private static Map<String, String> systemProperties() {
        Properties p = System.getProperties();
        Map<String, String> m = new HashMap<>();
        for (String name : p.stringPropertyNames()) {
            String value = p.getProperty(name);
            if (value != null) {
                m.put(name, value);
            }
        }
        return m;
    }
}

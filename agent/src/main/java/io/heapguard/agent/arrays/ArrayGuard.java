package io.heapguard.agent.arrays;

import java.lang.instrument.Instrumentation;

import io.heapguard.agent.hooks.WarningSink;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.internal.ArrayHooks;

/**
 * The {@code array} guard: large arrays created by application and library code are charged to the ledger
 * under the growth point {@code array}, from {@code arrays.min} bytes up, in the classes
 * {@code arrays.include}/{@code arrays.exclude} select.
 *
 * <p>Instruments classes as they are loaded, from the moment it is installed; classes already loaded (an
 * agent attached late) are not rewritten. {@code arrays.*} are read once: {@code reload()} does not change
 * them. {@code arrays.exclude=*} turns the guard off (nothing is registered).
 */
public final class ArrayGuard {

    private ArrayGuard() {
    }

    /**
     * Call once the ledger is installed.
     *
     * @return the transformer registered, or {@code null} when the guard is off
     */
    public static ArrayTransformer install(Instrumentation inst, HeapGuardConfig config) {
        return install(inst, config, WarningSink.LOG);
    }

    static ArrayTransformer install(Instrumentation inst, HeapGuardConfig config, WarningSink sink) {
        if (config.mode() == Mode.OFF || config.arraysExclude().contains("*") || config.arraysInclude().isEmpty()) {
            return null;
        }
        ArrayHooks.install(config.arraysMinBytes());
        ArrayTransformer transformer = new ArrayTransformer(config.arraysInclude(), config.arraysExclude(),
                Thresholds.fromHooks(), sink);
        // Not retransformation-capable: the JVM keeps no copy of the original class files, and a
        // retransformation by another agent reuses what this transformer returned.
        inst.addTransformer(transformer, false);
        if (Boolean.getBoolean(STATS_PROPERTY)) {
            Runtime.getRuntime().addShutdownHook(new Thread(new Stats(transformer), "heapguard-arrays-stats"));
        }
        return transformer;
    }

    /**
     * {@code -Dio.heapguard.arrays.stats=true}: one line on stderr at exit (classes scanned and rewritten,
     * time spent), for measuring start-up. Not under {@code heapguard.}, which is configuration.
     */
    static final String STATS_PROPERTY = "io.heapguard.arrays.stats";


    private static final class Stats implements Runnable {
        private final ArrayTransformer t;

        Stats(ArrayTransformer t) {
            this.t = t;
        }

        @Override
        public void run() {
            System.err.println("heapguard arrays: " + t.classesSeen() + " classes scanned, " + t.classesRewritten()
                    + " rewritten, " + t.sitesRewritten() + " sites, " + ((t.scanNanos() + t.rewriteNanos()) / 1_000_000)
                    + " ms (scan " + (t.scanNanos() / 1_000_000) + " ms, rewrite " + (t.rewriteNanos() / 1_000_000)
                    + " ms), " + t.failures() + " failures");
        }
    }
}

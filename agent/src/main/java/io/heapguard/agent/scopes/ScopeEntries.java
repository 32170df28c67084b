package io.heapguard.agent.scopes;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.heapguard.agent.hooks.WarningSink;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.ScopeConfig;
import io.heapguard.internal.ScopeHooks;

/**
 * Opens a scope around every call of the methods named by {@code scope.<name>.entry}, with no change to
 * the application: registers each scope with {@link ScopeHooks} and a transformer that instruments the
 * entry classes as they load (and any already loaded, when the agent is attached late).
 *
 * <p>Only application classes are instrumented: a class of the JDK, of heapguard's own agent, or defined
 * by the bootstrap or platform class loader is left alone, with one warning at start-up when the
 * configuration names one.
 */
public final class ScopeEntries {

    private ScopeEntries() {
    }

    /**
     * Does nothing when no scope is configured. Call once the ledger is installed.
     *
     * @return the transformer registered, or null when there was nothing to do
     */
    public static ScopeEntryTransformer install(Instrumentation inst, HeapGuardConfig config) {
        return install(inst, config.scopes(), WarningSink.LOG);
    }

    static ScopeEntryTransformer install(Instrumentation inst, List<ScopeConfig> scopes, WarningSink sink) {
        Map<String, List<ScopeEntryTransformer.Entry>> byClass = entries(scopes, sink);
        if (byClass.isEmpty()) {
            return null;
        }
        ScopeEntryTransformer transformer = new ScopeEntryTransformer(byClass, sink);
        inst.addTransformer(transformer, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (byClass.containsKey(c.getName().replace('.', '/')) && ScopeEntryTransformer.eligible(c.getClassLoader())
                    && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (Exception | LinkageError e) {
                sink.warn("heapguard: could not instrument the already loaded " + c.getName() + " (" + e
                        + "); its scope entries are not opened");
            }
        }
        return transformer;
    }

    /** Internal class name to the entries it holds; JDK and heapguard classes are reported and dropped. */
    static Map<String, List<ScopeEntryTransformer.Entry>> entries(List<ScopeConfig> scopes, WarningSink sink) {
        Map<String, List<ScopeEntryTransformer.Entry>> byClass = new HashMap<>();
        for (ScopeConfig sc : scopes) {
            String where = sc.className() + "#" + sc.methodName();
            String why = refused(sc.className(), sc.methodName());
            if (why != null) {
                sink.warn("heapguard: scope." + sc.name() + ".entry=" + where + ": " + why
                        + "; this scope is never opened");
                continue;
            }
            int index = ScopeHooks.define(sc.name(), sc.limitBytes());
            String internal = sc.className().replace('.', '/');
            List<ScopeEntryTransformer.Entry> list = byClass.get(internal);
            if (list == null) {
                list = new ArrayList<>();
                byClass.put(internal, list);
            }
            list.add(new ScopeEntryTransformer.Entry(sc.name(), sc.methodName(), index));
        }
        return byClass;
    }

    /**
     * Never instrumented: packages only the JDK defines, and heapguard's own agent and core. (Other JDK
     * classes, such as {@code javax.*} and {@code com.sun.*}, are left alone by their class loader; an
     * application's own {@code javax.servlet.*} is not.)
     */
    private static final String[] JDK_PACKAGES = {"java.", "jdk.", "sun.", "io.heapguard.agent.",
        "io.heapguard.shaded.", "io.heapguard.internal.", "io.heapguard.ledger.", "io.heapguard.config."};

    private static String refused(String className, String methodName) {
        for (String p : JDK_PACKAGES) {
            if (className.startsWith(p)) {
                return p.startsWith("io.heapguard") ? "heapguard's own classes are not instrumented"
                        : "JDK classes are left alone (name the application method that handles the work)";
            }
        }
        if (methodName.equals("<init>") || methodName.equals("<clinit>")) {
            return "constructors and static initialisers cannot be scope entries";
        }
        return null;
    }
}

package io.heapguard.agent.scopes;

import io.heapguard.ledger.FastLimit;
import io.heapguard.agent.hooks.WarningSink;
import io.heapguard.fixtures.scopes.Handler;
import io.heapguard.config.ConfigLoader;
import io.heapguard.config.ConfigSources;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transformer on a real class: the instrumented bytes pass ASM's checker and the JVM's verifier,
 * every overload of the entry opens the scope (once, under recursion), closes it on return and on an
 * exception, and the methods compute what they did before.
 */
class ScopeEntryTransformerTest {
    private static final String FIXTURE = Handler.class.getName();

    private final List<String> warnings = new ArrayList<>();
    private final WarningSink sink = new WarningSink() {
        @Override
        public void warn(String line) {
            warnings.add(line);
        }
    };

    @BeforeEach
    void noLedger() {
        uninstall();
    }

    @AfterEach
    void removeLedger() {
        Ledger l = Ledger.current();
        if (l != null) {
            l.exitScopes(l.currentScopes());
        }
        uninstall();
    }

    @Test
    void everyOverloadRunsInsideTheScopeAndLeavesIt() throws Exception {
        HeapGuardConfig config = config("scope.upload.entry=" + FIXTURE + "#handle,scope.upload.limit=16m");
        Ledger.install(config, Platform.NONE);
        byte[] instrumented = instrument(config);
        check(instrumented);
        Class<?> c = define(instrumented);
        Object h = c.getConstructor().newInstance();
        List<String> seen = seen(c);
        seen.clear();

        assertEquals(42, c.getMethod("handle", int.class).invoke(h, 21));
        assertEquals(10L + 0 + 2 - 1 + 7 + 3, c.getMethod("handle", long.class, double.class, String.class)
                .invoke(h, 10L, 7.9, "abc"));
        assertEquals("x", c.getMethod("handle", Object.class).invoke(null, "x"));
        c.getMethod("handle", String.class).invoke(h, "plain");
        c.getMethod("handle", String.class).invoke(h, "caught");
        assertEquals(3.0 + (1L << 40), c.getMethod("handle", double.class).invoke(h, 2.0));
        assertEquals("lambda [upload]", c.getMethod("handle", char.class).invoke(h, 'c'));
        assertEquals(3, c.getMethod("handle", short.class).invoke(h, (short) 3));
        assertEquals(1.5f + 3 + 4, c.getMethod("handle", float.class, long[].class, int[].class)
                .invoke(h, 1.5f, new long[] {1, 2}, new int[] {4}));
        assertEquals("other []", c.getMethod("other").invoke(h), "a method not named stays outside");

        assertEquals(List.of("int [upload]", "long [upload]", "static [upload]", "void [upload]",
                "caught [upload]", "sync [upload]", "lambda [upload]", "recursion [upload]", "varargs [upload]"), seen,
                "one scope per call, recursion included");
        assertEquals(0, Ledger.current().currentScopes().length, "every call closed its scope");

        for (String kind : new String[] {"io", "rt"}) {
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> c.getMethod("handle", String.class).invoke(h, kind));
            Class<?> expected = kind.equals("io") ? IOException.class : IllegalStateException.class;
            assertEquals(expected, e.getCause().getClass());
            assertEquals(kind, e.getCause().getMessage());
            assertEquals(0, Ledger.current().currentScopes().length, "an exception closes the scope too");
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void withoutALedgerTheMethodsJustRun() throws Exception {
        HeapGuardConfig config = config("scope.idle.entry=" + FIXTURE + "#handle,scope.idle.limit=1m");
        Class<?> c = define(instrument(config));
        Object h = c.getConstructor().newInstance();
        seen(c).clear();
        assertEquals(8, c.getMethod("handle", int.class).invoke(h, 4));
        assertEquals(List.of("int (no ledger)"), seen(c));
    }

    @Test
    void twoScopesOnOneClassNest() throws Exception {
        HeapGuardConfig config = config("scope.outer.entry=" + FIXTURE + "#handle,scope.outer.limit=16m,"
                + "scope.other.entry=" + FIXTURE + "#other,scope.other.limit=1m");
        Ledger.install(config, Platform.NONE);
        Class<?> c = define(instrument(config));
        Object h = c.getConstructor().newInstance();
        assertEquals("other [other]", c.getMethod("other").invoke(h));
        seen(c).clear();
        c.getMethod("handle", int.class).invoke(h, 1);
        assertEquals(List.of("int [outer]"), seen(c));
    }

    @Test
    void aMissingMethodIsReportedOnceAndTheClassLeftAsItWas() throws Exception {
        HeapGuardConfig config = config("scope.typo.entry=" + FIXTURE + "#handel,scope.typo.limit=1m");
        Map<String, List<ScopeEntryTransformer.Entry>> entries = ScopeEntries.entries(config.scopes(), sink);
        ScopeEntryTransformer t = new ScopeEntryTransformer(entries, sink);
        assertNull(t.transform(null, getClass().getClassLoader(), internal(FIXTURE), null, null, bytes()));
        assertNull(t.transform(null, getClass().getClassLoader(), internal(FIXTURE), null, null, bytes()));
        assertEquals(1, warnings.size(), () -> warnings.toString());
        assertTrue(warnings.get(0).contains("has no method 'handel'"), warnings.get(0));
        assertTrue(warnings.get(0).contains("scope.typo.entry"), warnings.get(0));
    }

    @Test
    void jdkClassesAndTheirLoadersAreLeftAlone() throws Exception {
        HeapGuardConfig config = config("scope.a.entry=java.io.ByteArrayOutputStream#write,scope.a.limit=1m,"
                + "scope.b.entry=" + FIXTURE + "#handle,scope.b.limit=1m");
        Map<String, List<ScopeEntryTransformer.Entry>> entries = ScopeEntries.entries(config.scopes(), sink);
        assertEquals(1, warnings.size(), () -> warnings.toString());
        assertTrue(warnings.get(0).startsWith("heapguard: scope.a.entry=java.io.ByteArrayOutputStream#write: JDK"),
                warnings.get(0));
        ScopeEntryTransformer t = new ScopeEntryTransformer(entries, sink);
        assertNull(t.transform(null, null, internal(FIXTURE), null, null, bytes()), "bootstrap loader");
        assertNull(t.transform(null, ClassLoader.getPlatformClassLoader(), internal(FIXTURE), null, null, bytes()));
        assertNotNull(t.transform(null, getClass().getClassLoader(), internal(FIXTURE), null, null, bytes()));
        assertNull(t.transform(null, getClass().getClassLoader(), "com/example/Other", null, null, bytes()));
    }

    @Test
    void aClassThatCannotBeParsedIsReportedNotThrown() {
        HeapGuardConfig config = config("scope.x.entry=" + FIXTURE + "#handle,scope.x.limit=1m");
        ScopeEntryTransformer t = new ScopeEntryTransformer(ScopeEntries.entries(config.scopes(), sink), sink);
        assertNull(t.transform(null, getClass().getClassLoader(), internal(FIXTURE), null, null, new byte[] {1, 2, 3}));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("heapguard: could not instrument " + FIXTURE), warnings.get(0));
    }

    @Test
    void theSameBytesComeOutOfARetransformation() throws Exception {
        HeapGuardConfig config = config("scope.r.entry=" + FIXTURE + "#handle,scope.r.limit=1m");
        ScopeEntryTransformer t = new ScopeEntryTransformer(ScopeEntries.entries(config.scopes(), sink), sink);
        byte[] first = t.transform(null, getClass().getClassLoader(), internal(FIXTURE), null, null, bytes());
        byte[] again = t.transform(null, getClass().getClassLoader(), internal(FIXTURE), Handler.class, null, bytes());
        assertArrayEquals(first, again, "a retransformation must not change the class's shape");
    }

    // ---------------------------------------------------------------------------------------------

    private byte[] instrument(HeapGuardConfig config) throws IOException {
        ScopeEntryTransformer t = new ScopeEntryTransformer(ScopeEntries.entries(config.scopes(), sink), sink);
        byte[] out = t.transform(null, getClass().getClassLoader(), internal(FIXTURE), null, null, bytes());
        assertNotNull(out, () -> "not instrumented: " + warnings);
        return out;
    }

    private static void check(byte[] classfile) {
        StringWriter problems = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(classfile), ScopeEntryTransformerTest.class.getClassLoader(), false,
                new PrintWriter(problems));
        assertEquals("", problems.toString(), "ASM's verifier");
    }

    /** Defines the instrumented fixture in a loader of its own: the JVM verifies it as it links. */
    private static Class<?> define(byte[] classfile) throws ClassNotFoundException {
        ClassLoader parent = ScopeEntryTransformerTest.class.getClassLoader();
        ClassLoader loader = new ClassLoader(parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    if (name.equals(FIXTURE)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, classfile, 0, classfile.length);
                    }
                    return super.loadClass(name, resolve);
                }
            }
        };
        Class<?> c = Class.forName(FIXTURE, true, loader);
        assertEquals(loader, c.getClassLoader());
        return c;
    }

    @SuppressWarnings("unchecked")
    private static List<String> seen(Class<?> c) throws ReflectiveOperationException {
        return (List<String>) c.getField("SEEN").get(null);
    }

    private static byte[] bytes() throws IOException {
        try (InputStream in = Handler.class.getResourceAsStream("Handler.class")) {
            return in.readAllBytes();
        }
    }

    private static String internal(String name) {
        return name.replace('.', '/');
    }

    private static HeapGuardConfig config(String agentArgs) {
        try {
            return ConfigLoader.load(new ConfigSources(agentArgs, Map.of(), Map.of(), Runtime.getRuntime().maxMemory()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void uninstall() {
        try {
            Field f = Ledger.class.getDeclaredField("current");
            f.setAccessible(true);
            f.set(null, null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        FastLimit.publish(Long.MAX_VALUE);
    }
}

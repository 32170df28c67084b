package io.heapguard.agent.arrays;

import io.heapguard.ledger.FastLimit;
import io.heapguard.QuotaExceededException;
import io.heapguard.config.ConfigLoader;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Keys;
import io.heapguard.config.Mode;
import io.heapguard.config.RuleConfig;
import io.heapguard.fixtures.arrays.Allocations;
import io.heapguard.fixtures.arrays.NoLargeAllocations;
import io.heapguard.internal.ArrayHooks;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Platform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.util.CheckClassAdapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ArrayTransformer}: which classes it touches, that the rewritten code verifies and behaves as the
 * original, that each allocation shape reaches the ledger (a rule on {@code array} refuses it at the
 * allocating frame), and that odd class files are left alone.
 */
class ArrayTransformerTest {
    private static final int KIB = 1 << 10;
    private static final long MAX_BUFFER = 64 * KIB;

    /**
     * Runs each test on a thread of its own: the ledger keeps a per-thread account (static, shared by
     * every ledger), and what these tests charge must not stay on the thread other test classes run on.
     */
    @RegisterExtension
    static final InvocationInterceptor FRESH_THREAD = new InvocationInterceptor() {
        @Override
        public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
                                        ExtensionContext extension) throws Throwable {
            Throwable[] failure = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    invocation.proceed();
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "array-guard-test");
            t.start();
            t.join(120_000);
            if (t.isAlive()) {
                throw new AssertionError("the test did not finish in 120 s");
            }
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    };

    private final List<String> warnings = new ArrayList<>();
    private final ArrayTransformer transformer = new ArrayTransformer(List.of("*"), List.of(),
            Thresholds.of(KIB, 4), warnings::add);

    @AfterEach
    void uninstall() {
        ArrayHooks.install(Long.MAX_VALUE);
        try {
            java.lang.reflect.Field f = Ledger.class.getDeclaredField("current");
            f.setAccessible(true);
            f.set(null, null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        FastLimit.publish(Long.MAX_VALUE);
    }

    /** A ledger with rule {@code cap}: targets {@code array}, max-buffer 64 KiB; {@code arrays.min} 1 KiB. */
    private static Ledger installLedger(Mode mode) {
        HeapGuardConfig config = ConfigLoader.defaults(0).with(Keys.MODE, mode).with(Keys.TRACK_MIN, 1L)
                .with(Keys.ARRAYS_MIN, (long) KIB)
                .withRules(List.of(new RuleConfig("cap", List.of("array"), List.of(), MAX_BUFFER, -1)));
        Ledger ledger = Ledger.install(config, Platform.NONE);
        ArrayHooks.install(KIB, 4);
        return ledger;
    }

    // ---------------------------------------------------------------------------------------------
    // Which classes

    @Test
    void theWarmUpRewritesAClassOfItsOwnAndCountsNothing() {
        assertTrue(transformer.warmUp(), "WarmUp.class was scanned and rewritten");
        assertEquals(0, transformer.classesSeen());
        assertEquals(0, transformer.classesRewritten());
    }

    @Test
    void theJdkAndHeapguardAreNeverTouchedApplicationsAre() {
        for (String jdk : new String[] {"java/lang/String", "jdk/internal/misc/Unsafe", "sun/misc/Unsafe",
                "com/sun/proxy/$Proxy1", "io/heapguard/internal/ArrayHooks", "io/heapguard/agent/arrays/ArrayGuard",
                "io/heapguard/shaded/asm/ClassReader", "io/heapguard/it/apps/BaosCapApp", "io/heapguard/bench/LedgerBench"}) {
            assertFalse(transformer.selected(jdk), jdk);
        }
        for (String app : new String[] {"com/example/Upload", "org/apache/commons/io/IOUtils", "Main",
                "io/heapguard/it/apps/arrays/JacksonApp", "io/heapguard/bench/arrays/ArrayGuardBench",
                "javax/servlet/http/HttpServlet", "com/sunny/Weather"}) {
            assertTrue(transformer.selected(app), app);
        }
        byte[] classfile = classFile(Allocations.class);
        assertNull(transformer.transform(null, null, "com/example/Boot", null, null, classfile),
                "the bootstrap loader's classes are the JDK's");
        assertNull(transformer.transform(null, ClassLoader.getPlatformClassLoader(), "com/example/Platform", null,
                null, classfile), "so are the platform loader's");
        assertNull(transformer.transform(null, getClass().getClassLoader(), null, null, null, classfile));
        assertNotNull(transformer.transform(null, getClass().getClassLoader(), "com/example/App", null, null,
                classfile));
    }

    @Test
    void includeAndExcludeGlobsSelectByBinaryName() {
        ArrayTransformer t = new ArrayTransformer(List.of("com.example.*", "org.lib.Codec"),
                List.of("com.example.generated.*", "*$Builder"), Thresholds.of(KIB, 4), warnings::add);
        assertTrue(t.selected("com/example/Upload"));
        assertTrue(t.selected("com/example/deep/Inner$1"));
        assertTrue(t.selected("org/lib/Codec"));
        assertFalse(t.selected("org/lib/CodecUtil"));
        assertFalse(t.selected("com/example/generated/Proto"));
        assertFalse(t.selected("com/example/Upload$Builder"));
        assertFalse(t.selected("net/other/Thing"));
        assertFalse(t.selected("java/util/ArrayList"), "include cannot reach the JDK");
    }

    // ---------------------------------------------------------------------------------------------
    // The rewrite

    @Test
    void everyAllocationShapeIsRewrittenAndTheCodeVerifies() throws Exception {
        byte[] rewritten = transformer.instrument(classFile(Allocations.class));
        assertNotNull(rewritten);
        StringWriter problems = new StringWriter();
        CheckClassAdapter.verify(new ClassReader(rewritten), getClass().getClassLoader(), false,
                new PrintWriter(problems));
        assertEquals("", problems.toString());
        // newarray x 8 types, anewarray, multianewarray, Array.newInstance, Arrays.copyOf* ... every one counted
        assertTrue(transformer.sitesRewritten() >= 30, "sites: " + transformer.sitesRewritten());
        Class<?> c = load(Allocations.class, rewritten);
        c.getDeclaredMethods(); // links the class: the JVM's own verifier accepts it
        assertEquals(0, transformer.failures());
    }

    @Test
    void classesThatOnlyMakeSmallConstantArraysAreLeftAlone() {
        ArrayTransformer atDefault = new ArrayTransformer(List.of("*"), List.of(), Thresholds.of(1 << 20, 4),
                warnings::add);
        assertNull(atDefault.instrument(classFile(NoLargeAllocations.class)));
        assertEquals(1, atDefault.classesSeen());
        assertEquals(0, atDefault.classesRewritten());
        // the same with a lower threshold: now 8192 bytes are worth checking
        ArrayTransformer low = new ArrayTransformer(List.of("*"), List.of(), Thresholds.of(4 * KIB, 4), warnings::add);
        assertNotNull(low.instrument(classFile(NoLargeAllocations.class)));
        assertEquals(1, low.sitesRewritten(), "only new byte[8192]");
    }

    @Test
    void belowTheThresholdTheRewrittenClassAnswersAsTheOriginal() throws Throwable {
        installLedger(Mode.ENFORCE);
        Class<?> rewritten = load(Allocations.class, transformer.instrument(classFile(Allocations.class)));
        Class<?> original = Allocations.class;
        for (Object[] call : smallCalls()) {
            String name = (String) call[0];
            Object[] args = Arrays.copyOfRange(call, 1, call.length);
            Object expected = invoke(original, name, args);
            Object actual = invoke(rewritten, name, args);
            assertSameShape(expected, actual, name + Arrays.deepToString(args));
        }
        assertEquals(8192, Ledger.current().global().used(),
                "only small()'s new byte[8192] is at least arrays.min (1 KiB): nothing below it is charged");
    }

    private static List<Object[]> smallCalls() {
        String[] strings = {"a", "b", "c"};
        return List.of(new Object[] {"booleans", 5}, new Object[] {"bytes", 0}, new Object[] {"chars", 9},
                new Object[] {"shorts", 3}, new Object[] {"ints", 4}, new Object[] {"floats", 2},
                new Object[] {"longs", 7}, new Object[] {"doubles", 1}, new Object[] {"strings", 6},
                new Object[] {"rows", 2}, new Object[] {"own", 2}, new Object[] {"matrix", 3, 4},
                new Object[] {"cube", 2, 0, 5}, new Object[] {"four", 1, 2, 3, 4}, new Object[] {"partial", 2, 3},
                new Object[] {"reflective", 4}, new Object[] {"reflectiveMulti", 2, 3},
                new Object[] {"copyOf", new byte[] {1, 2, 3}, 5}, new Object[] {"copyOf", new char[] {'x'}, 2},
                new Object[] {"copyOfRange", new long[] {1, 2, 3}, 1, 4}, new Object[] {"copyOf", strings, 2},
                new Object[] {"copyOfTyped", strings, 4}, new Object[] {"copyOfRangeTyped", strings, 1, 3},
                new Object[] {"small", 7}, new Object[] {"branchy", true, 99}, new Object[] {"branchy", false, 99},
                new Object[] {"inTry", 12}, new Object[] {"loop", 50}, new Object[] {"locked", 3},
                new Object[] {"switching", 0, 5}, new Object[] {"switching", 1, 5}, new Object[] {"switching", 100, 5},
                new Object[] {"switching", 7, 5}, new Object[] {"stackUnderneath", 9});
    }

    @Test
    void aboveTheThresholdEveryShapeReachesTheLedgerAtTheAllocatingFrame() throws Throwable {
        Ledger ledger = installLedger(Mode.ENFORCE);
        Class<?> c = load(Allocations.class, transformer.instrument(classFile(Allocations.class)));
        int big = 100_000; // above max-buffer for every element size
        Object[][] calls = {
            {"booleans", big}, {"bytes", big}, {"chars", big}, {"shorts", big}, {"ints", big}, {"floats", big},
            {"longs", big}, {"doubles", big}, {"strings", big}, {"rows", big}, {"own", big},
            {"matrix", 100, 1000}, {"cube", 10, 100, 100}, {"four", 100, 100, 10, 1}, {"partial", 100, 1000},
            {"reflective", big}, {"reflectiveMulti", 2, big}, {"copyOf", new byte[1], big},
            {"copyOf", new char[1], big}, {"copyOfRange", new long[1], 0, big}, {"copyOf", new String[1], big},
            {"copyOfTyped", new String[1], big}, {"copyOfRangeTyped", new String[1], 0, big},
            {"bigConstant"}, {"branchy", false, big}, {"inTry", big}, {"locked", big},
            {"switching", 0, big}, {"switching", 1, big}, {"switching", 100, big}, {"switching", 7, big},
            {"stackUnderneath", big},
        };
        for (Object[] call : calls) {
            String name = (String) call[0];
            Object[] args = Arrays.copyOfRange(call, 1, call.length);
            QuotaExceededException e = refusal(() -> invoke(c, name, args), name);
            assertEquals("cap", e.rule(), name);
            assertEquals("array", e.target(), name);
            assertEquals(Allocations.class.getName(), e.callSite().getClassName(), name + ": " + e.callSite());
            assertTrue(e.callSite().getMethodName().equals(name), name + ": " + e.callSite());
        }
        QuotaExceededException ctor = refusal(() -> construct(c, big), "constructor");
        assertEquals("<init>", ctor.callSite().getMethodName());
        @SuppressWarnings("unchecked")
        IntFunction<byte[]> reference = (IntFunction<byte[]>) invoke(c, "constructorReference");
        assertEquals(Allocations.class.getName(), refusal(() -> reference.apply(big), "byte[]::new").callSite()
                .getClassName());
        @SuppressWarnings("unchecked")
        IntFunction<String[]> lambda = (IntFunction<String[]>) invoke(c, "lambda");
        assertEquals(Allocations.class.getName(), refusal(() -> lambda.apply(big), "lambda").callSite()
                .getClassName());

        // the lock a refusal was thrown under is released; the class keeps working
        assertEquals(3, ((double[]) invoke(c, "locked", 3)).length);
        assertEquals(0, ledger.control().ruleAccount("cap").used());
        // a multianewarray counting only its first three dimensions: 2 x 2 x 2 references, the last level not
        assertEquals(2, ((long[][][][]) invoke(c, "four", 2, 2, 2, big)).length);
    }

    @Test
    void grantedAllocationsAreChargedAndBound() throws Throwable {
        Ledger ledger = installLedger(Mode.ENFORCE);
        Class<?> c = load(Allocations.class, transformer.instrument(classFile(Allocations.class)));
        List<Object> held = new ArrayList<>();
        held.add(invoke(c, "bytes", 10_000));                    // 10000
        held.add(invoke(c, "strings", 2_000));                   // 8000
        held.add(invoke(c, "matrix", 10, 100));                  // 40 + 4000
        held.add(invoke(c, "copyOf", new char[1], 3_000));       // 6000
        held.add(invoke(c, "bytes", KIB - 1));                   // below arrays.min: nothing
        assertEquals(10_000 + 8_000 + 4_040 + 6_000, ledger.global().used());
        assertEquals(4, ledger.liveCharges());
        assertEquals(5, held.size());
    }

    @Test
    void monitorModeLetsEveryAllocationThrough() throws Throwable {
        Ledger ledger = installLedger(Mode.MONITOR);
        Class<?> c = load(Allocations.class, transformer.instrument(classFile(Allocations.class)));
        assertEquals(100_000, ((byte[]) invoke(c, "bytes", 100_000)).length);
        assertEquals(100, ((int[][]) invoke(c, "matrix", 100, 1000)).length);
        assertTrue(ledger.denials() >= 2);
    }

    // ---------------------------------------------------------------------------------------------
    // Robustness

    @Test
    void oddClassFilesAreLeftAloneWithAFewLinesAndNoException() {
        ClassLoader app = getClass().getClassLoader();
        byte[] good = classFile(Allocations.class);
        List<byte[]> odd = new ArrayList<>();
        odd.add(new byte[0]);
        odd.add(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
        for (int cut : new int[] {10, 100, good.length / 2, good.length - 1}) {
            odd.add(Arrays.copyOf(good, cut));
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] b = good.clone();
            for (int j = 0; j < 5; j++) {
                b[8 + random.nextInt(b.length - 8)] = (byte) random.nextInt();
            }
            odd.add(b);
        }
        for (byte[] b : odd) {
            try {
                byte[] out = transformer.transform(null, app, "com/example/Odd", null, null, b);
                if (out != null) {
                    new ClassReader(out); // whatever came back is at least a class file ASM reads
                }
            } catch (Throwable t) {
                fail("the transformer threw " + t);
            }
        }
        assertTrue(transformer.failures() > 0);
        assertTrue(warnings.size() <= ArrayTransformer.MAX_WARNINGS, warnings.toString());
        assertTrue(warnings.get(0).startsWith("heapguard: could not add the array guard to com.example.Odd ("),
                warnings.get(0));
    }

    @Test
    void aClassFileNewerThanAsmReadsIsLeftAloneSilently() {
        byte[] b = classFile(Allocations.class);
        b[6] = 0;
        b[7] = (byte) (ArrayTransformer.MAX_MAJOR + 1);
        assertNull(transformer.transform(null, getClass().getClassLoader(), "com/example/Future", null, null, b));
        assertEquals(0, transformer.failures());
        b[7] = (byte) ArrayTransformer.MAX_MAJOR;
        assertNotNull(transformer.transform(null, getClass().getClassLoader(), "com/example/Now", null, null, b));
    }

    @Test
    void oldClassFilesWithoutStackMapsAreRewrittenToo() throws Throwable {
        // com.example.Old, Java 1.4 (major 48, no StackMapTable):
        // static int buffers() { int n = 5000; return new Object[n].length + new int[n][n].length; }
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        w.visit(Opcodes.V1_4, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "com/example/Old", null, "java/lang/Object", null);
        MethodVisitor mv = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "buffers", "()I", null, null);
        mv.visitCode();
        mv.visitIntInsn(Opcodes.SIPUSH, 5000);
        mv.visitVarInsn(Opcodes.ISTORE, 0);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitMultiANewArrayInsn("[[I", 2);
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitInsn(Opcodes.IADD);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        w.visitEnd();
        byte[] rewritten = transformer.instrument(w.toByteArray());
        assertNotNull(rewritten);
        assertEquals(2, transformer.sitesRewritten());
        Class<?> c = Class.forName("com.example.Old", false,
                new ChildFirst(Map.of("com.example.Old", rewritten), getClass().getClassLoader()));
        assertEquals(10_000, invoke(c, "buffers"), "no ledger yet: granted");
        Ledger ledger = installLedger(Mode.ENFORCE);
        QuotaExceededException e = refusal(() -> invoke(c, "buffers"), "buffers");
        assertEquals("com.example.Old", e.callSite().getClassName());
        assertEquals(5000 * 4 + 5000 * 5000 * 4L, e.requestedBytes(), "new int[5000][5000], refused");
        assertEquals(5000 * 4, ledger.control().ruleAccount("cap").used(), "new Object[5000], granted and charged");
    }

    @Test
    void everyHookTheRewriteCallsExistsWithItsDescriptor() throws Exception {
        Map<String, Method> hooks = new TreeMap<>();
        for (Method m : ArrayHooks.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers())) {
                hooks.put(m.getName() + Type.getMethodDescriptor(m), m);
            }
        }
        List<String> expected = new ArrayList<>();
        expected.addAll(HookedCalls.all(HookedCalls.ARRAYS));
        expected.addAll(HookedCalls.all(HookedCalls.ARRAY));
        for (String t : new String[] {"Boolean:Z", "Byte:B", "Char:C", "Short:S", "Int:I", "Float:F", "Long:J",
                "Double:D"}) {
            String[] p = t.split(":");
            expected.add("new" + p[0] + "Array(I)[" + p[1]);
        }
        expected.add("checkObjectArray(I)Ljava/lang/Object;");
        expected.add("checkMultiArray(II)Ljava/lang/Object;");
        expected.add("checkMultiArray(III)Ljava/lang/Object;");
        expected.add("checkMultiArray(IIII)Ljava/lang/Object;");
        expected.add("bindPending(Ljava/lang/Object;Ljava/lang/Object;)V");
        for (String e : expected) {
            assertTrue(hooks.containsKey(e), "ArrayHooks has no public static " + e);
        }
        assertEquals(22, HookedCalls.all(HookedCalls.ARRAYS).size() + HookedCalls.all(HookedCalls.ARRAY).size());
    }

    /**
     * Every class of the test class path's libraries (JUnit, ASM, opentest4j...), rewritten with every
     * allocation checked (arrays.min 0), defined in a loader of its own and linked: the JVM's verifier must
     * accept each one the original was accepted for.
     */
    @Test
    void aCorpusOfRealLibrariesVerifiesAfterTheRewrite() throws Exception {
        ArrayTransformer all = new ArrayTransformer(List.of("*"), List.of(), Thresholds.of(0, 4), warnings::add);
        int classes = 0;
        for (Path jar : testClassPathJars()) {
            Map<String, byte[]> originals = readJar(jar);
            Map<String, byte[]> rewritten = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> e : originals.entrySet()) {
                byte[] out = all.instrument(e.getValue());
                rewritten.put(e.getKey(), out != null ? out : e.getValue());
            }
            Map<String, String> before = linkAll(originals);
            Map<String, String> after = linkAll(rewritten);
            for (Map.Entry<String, String> e : after.entrySet()) {
                if (!e.getValue().equals(before.get(e.getKey()))) {
                    fail(jar.getFileName() + ": " + e.getKey() + " links as " + before.get(e.getKey())
                            + " originally, as " + e.getValue() + " rewritten");
                }
            }
            classes += originals.size();
        }
        assertEquals(0, all.failures(), warnings.toString());
        assertTrue(classes > 1000, "classes: " + classes);
        assertTrue(all.classesRewritten() > 200, "rewritten: " + all.classesRewritten());
    }

    private static List<Path> testClassPathJars() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Paths.get(entry).getFileName().toString();
            if (name.endsWith(".jar") && (name.startsWith("junit-") || name.startsWith("asm")
                    || name.startsWith("opentest4j"))) {
                jars.add(Paths.get(entry));
            }
        }
        assertFalse(jars.isEmpty(), System.getProperty("java.class.path"));
        return jars;
    }

    private static Map<String, byte[]> readJar(Path jar) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> en = f.entries(); en.hasMoreElements(); ) {
                JarEntry e = en.nextElement();
                String n = e.getName();
                if (n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class")
                        && !n.endsWith("package-info.class")) {
                    try (InputStream in = f.getInputStream(e)) {
                        classes.put(n.substring(0, n.length() - 6).replace('/', '.'), in.readAllBytes());
                    }
                }
            }
        }
        return classes;
    }

    /** Class name to "ok" or the simple name of what defining and linking it threw. */
    private static Map<String, String> linkAll(Map<String, byte[]> classes) {
        ClassLoader loader = new ChildFirst(classes, ArrayTransformerTest.class.getClassLoader());
        Map<String, String> result = new TreeMap<>();
        for (String name : classes.keySet()) {
            String outcome;
            try {
                Class.forName(name, false, loader).getDeclaredMethods();
                outcome = "ok";
            } catch (VerifyError | ClassFormatError e) {
                outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (Throwable e) {
                outcome = e.getClass().getSimpleName();
            }
            result.put(name, outcome);
        }
        return result;
    }

    // ---------------------------------------------------------------------------------------------

    private static QuotaExceededException refusal(ThrowingCall call, String what) {
        try {
            Object r = call.run();
            return fail(what + " was not refused: " + describe(r));
        } catch (QuotaExceededException e) {
            return e;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof QuotaExceededException) {
                return (QuotaExceededException) e.getCause();
            }
            return fail(what + " threw " + e.getCause(), e.getCause());
        } catch (Throwable t) {
            return fail(what + " threw " + t, t);
        }
    }

    private interface ThrowingCall {
        Object run() throws Throwable;
    }

    private static String describe(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName();
    }

    private static void assertSameShape(Object expected, Object actual, String what) {
        if (expected == null || !expected.getClass().isArray()) {
            assertEquals(expected, actual, what);
            return;
        }
        assertNotNull(actual, what);
        // the rewritten copy is another class of the same name: compare names
        assertEquals(expected.getClass().getName(), actual.getClass().getName(), what);
        if (expected instanceof Object[]) {
            assertEquals(Arrays.deepToString((Object[]) expected), Arrays.deepToString((Object[]) actual), what);
        } else {
            int n = java.lang.reflect.Array.getLength(expected);
            assertEquals(n, java.lang.reflect.Array.getLength(actual), what);
            for (int i = 0; i < n; i++) {
                assertEquals(java.lang.reflect.Array.get(expected, i), java.lang.reflect.Array.get(actual, i), what);
            }
        }
    }

    private static Object invoke(Class<?> c, String name, Object... args) throws Throwable {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && Modifier.isStatic(m.getModifiers()) && accepts(m.getParameterTypes(), args)) {
                try {
                    return m.invoke(null, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new AssertionError("no method " + name + Arrays.deepToString(args) + " in " + c);
    }

    private static Object construct(Class<?> c, int n) throws Throwable {
        Constructor<?> k = c.getConstructor(int.class);
        try {
            return k.newInstance(n);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static boolean accepts(Class<?>[] types, Object[] args) {
        if (types.length != args.length) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            Object a = args[i];
            if (t == int.class ? !(a instanceof Integer) : t == boolean.class ? !(a instanceof Boolean)
                    : !t.isInstance(a)) {
                return false;
            }
        }
        return true;
    }

    static byte[] classFile(Class<?> c) {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code c}'s name defined from {@code bytes} in a loader of its own; everything else from ours. */
    private static Class<?> load(Class<?> c, byte[] bytes) throws ClassNotFoundException {
        assertNotNull(bytes, "the transformer left " + c.getName() + " alone");
        return Class.forName(c.getName(), false, new ChildFirst(Map.of(c.getName(), bytes), c.getClassLoader()));
    }

    private static final class ChildFirst extends ClassLoader {
        private final Map<String, byte[]> classes;

        ChildFirst(Map<String, byte[]> classes, ClassLoader parent) {
            super(parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                return c != null ? c : defineClass(name, b, 0, b.length);
            }
        }
    }
}

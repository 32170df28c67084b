package io.heapguard.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.util.CheckClassAdapter;

import io.heapguard.internal.GrowthHooks;
import io.heapguard.ledger.GrowthPoint;

/** The transformer on the class files of the JDK running the test (run the build on JDK 17 and 25). */
class GrowthTransformerTest {

    static final String BAOS = "java/io/ByteArrayOutputStream";
    static final String BYTE_BUFFER = "java/nio/ByteBuffer";

    static byte[] jdkClass(String internalName) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }

    static byte[] transform(GrowthTransformer t, String internalName) throws IOException {
        return t.transform(Object.class.getModule(), null, internalName, null, null, jdkClass(internalName));
    }

    private static final class Collecting implements WarningSink {
        final List<String> lines = new ArrayList<>();

        @Override
        public void warn(String line) {
            lines.add(line);
        }
    }

    @Test
    void instrumentedJdkClassesVerify() throws IOException {
        Collecting sink = new Collecting();
        GrowthTransformer t = new GrowthTransformer(Advices.all(), sink);
        for (String c : List.of(BAOS, BYTE_BUFFER)) {
            byte[] out = transform(t, c);
            assertNotNull(out, c + " instrumented");
            StringWriter problems = new StringWriter();
            CheckClassAdapter.verify(new ClassReader(out), GrowthTransformerTest.class.getClassLoader(), false,
                    new PrintWriter(problems));
            assertEquals("", problems.toString(), c + " verifies");
        }
        assertEquals(List.of(), sink.lines, "every advised method exists on " + Runtime.version());
    }

    /** What each advised method calls, in order, as {@code owner.name}; and its exception table. */
    private static final class Calls extends ClassVisitor {
        final Map<String, List<String>> calls = new HashMap<>();
        final Map<String, List<String>> catchAll = new HashMap<>();
        final Map<String, Integer> returns = new HashMap<>();

        Calls() {
            super(Opcodes.ASM9);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            String key = name + descriptor;
            List<String> list = new ArrayList<>();
            List<String> handlers = new ArrayList<>();
            calls.put(key, list);
            catchAll.put(key, handlers);
            returns.put(key, 0);
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                    if (owner.equals(Advice.HOOKS)) {
                        list.add(n + d);
                    }
                }

                @Override
                public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                    handlers.add(String.valueOf(type));
                }

                @Override
                public void visitInsn(int opcode) {
                    if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                        returns.merge(key, 1, Integer::sum);
                    }
                }
            };
        }
    }

    @Test
    void eachAdvisedMethodEntersBindsAndAbandons() throws IOException {
        GrowthTransformer t = new GrowthTransformer(Advices.all(), new Collecting());
        Map<String, Calls> byClass = new HashMap<>();
        for (String c : List.of(BAOS, BYTE_BUFFER)) {
            Calls calls = new Calls();
            new ClassReader(transform(t, c)).accept(calls, 0);
            byClass.put(c, calls);
        }
        for (Advice a : Advices.all()) {
            Calls c = byClass.get(a.owner());
            if (c == null) {
                continue; // the other JDK classes' advices: JdkAdvicesTest
            }
            String key = a.name() + a.descriptor();
            List<String> hooks = c.calls.get(key);
            assertNotNull(hooks, key);
            int returns = c.returns.get(key);
            assertTrue(returns >= 1, key);
            // entry first, one bind per return, one abandon in the handler, nothing else
            assertTrue(hooks.get(0).startsWith(entryName(a) + "("), key + ": " + hooks);
            assertEquals(returns, hooks.stream().filter(h -> h.startsWith(a.bindMethod() + "(")).count(),
                    key + ": " + hooks);
            assertEquals(1, hooks.stream().filter(h -> h.startsWith("abandon(")).count(), key + ": " + hooks);
            assertEquals(returns + 2, hooks.size(), key + ": " + hooks);
            assertTrue(c.catchAll.get(key).contains("null"), key + " has a catch-all handler");
        }
    }

    private static String entryName(Advice a) {
        if (a instanceof ByteArrayOutputStreamGrowth) {
            return "byteArrayOutputStreamGrowth";
        }
        if (a instanceof ByteBufferAllocateDirect) {
            return "allocateDirect";
        }
        return "allocate";
    }

    @Test
    void everyCalledHookExistsInGrowthHooks() throws IOException {
        GrowthTransformer t = new GrowthTransformer(Advices.all(), new Collecting());
        for (String c : List.of(BAOS, BYTE_BUFFER)) {
            Calls calls = new Calls();
            new ClassReader(transform(t, c)).accept(calls, 0);
            for (List<String> list : calls.calls.values()) {
                for (String call : list) {
                    String name = call.substring(0, call.indexOf('('));
                    String descriptor = call.substring(name.length());
                    assertTrue(hasStatic(name, descriptor), "GrowthHooks." + call);
                }
            }
        }
    }

    private static boolean hasStatic(String name, String descriptor) {
        for (Method m : GrowthHooks.class.getMethods()) {
            if (m.getName().equals(name) && Type.getMethodDescriptor(m).equals(descriptor)
                    && Modifier.isStatic(m.getModifiers())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void copyAdviceCarriesTheGrowthPointOrdinal() {
        assertEquals(0, GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM.ordinal(), "baked into instrumented code");
    }

    @Test
    void otherClassesAndLoadersAreLeftAlone() throws IOException {
        GrowthTransformer t = new GrowthTransformer(Advices.all(), new Collecting());
        byte[] string = jdkClass("java/lang/String");
        assertNull(t.transform(Object.class.getModule(), null, "java/lang/String", null, null, string));
        byte[] baos = jdkClass(BAOS);
        ClassLoader app = GrowthTransformerTest.class.getClassLoader();
        assertNull(t.transform(app.getUnnamedModule(), app, BAOS, null, null, baos), "not the bootstrap loader");
        assertNull(t.transform(Object.class.getModule(), null, null, null, null, baos), "hidden class");
    }

    @Test
    void unchangedMethodsAreCopiedAsTheyWere() throws IOException {
        GrowthTransformer t = new GrowthTransformer(Advices.all(), new Collecting());
        byte[] before = jdkClass(BYTE_BUFFER);
        byte[] after = transform(t, BYTE_BUFFER);
        Map<String, Integer> sizesBefore = codeSizes(before);
        Map<String, Integer> sizesAfter = codeSizes(after);
        assertEquals(sizesBefore.keySet(), sizesAfter.keySet(), "no method added or removed");
        for (String m : sizesBefore.keySet()) {
            if (!m.startsWith("allocate(") && !m.startsWith("allocateDirect(")) {
                assertEquals(sizesBefore.get(m), sizesAfter.get(m), m);
            }
        }
    }

    private static Map<String, Integer> codeSizes(byte[] classfile) {
        Map<String, Integer> sizes = new HashMap<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                String key = name + descriptor;
                sizes.put(key, 0);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        sizes.merge(key, 1, Integer::sum);
                    }

                    @Override
                    public void visitMethodInsn(int o, String ow, String n, String d, boolean i) {
                        sizes.merge(key, 1, Integer::sum);
                    }

                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        sizes.merge(key, 1, Integer::sum);
                    }
                };
            }
        }, 0);
        return sizes;
    }

    private static Advice missing() {
        return new Advice(BAOS, "ensureCapacityGone", "(I)V", false, GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM) {
            @Override
            void enter(MethodVisitor mv) {
                throw new AssertionError("never applied");
            }
        };
    }

    @Test
    void aMissingMethodIsOneWarningLineOnceAndTheRestStillApplies() throws IOException {
        Collecting sink = new Collecting();
        List<Advice> advices = new ArrayList<>(Advices.all());
        advices.add(missing());
        GrowthTransformer t = new GrowthTransformer(advices, sink);
        byte[] out = transform(t, BAOS);
        assertNotNull(out, "the methods that exist are still instrumented");
        transform(t, BAOS); // a later retransformation does not repeat it
        assertEquals(1, sink.lines.size(), sink.lines.toString());
        String line = sink.lines.get(0);
        assertTrue(line.startsWith("heapguard: java.io.ByteArrayOutputStream.ensureCapacityGone(int) "), line);
        assertTrue(line.contains("'ByteArrayOutputStream'"), line);
        assertTrue(!line.contains("\n"), "one line");
    }

    @Test
    void aClassWithNoAdvisedMethodLeftIsNotRewritten() throws IOException {
        Collecting sink = new Collecting();
        GrowthTransformer t = new GrowthTransformer(List.of(missing()), sink);
        assertNull(transform(t, BAOS));
        assertEquals(1, sink.lines.size());
    }

    @Test
    void aDisabledClassIsLeftAlone() throws IOException {
        GrowthTransformer t = new GrowthTransformer(Advices.all(), new Collecting());
        t.disable("java.nio.ByteBuffer");
        assertNull(transform(t, BYTE_BUFFER));
        assertNotNull(transform(t, BAOS));
    }

    @Test
    void theDefaultSinkLogsOneWarningRecordToSystemLoggerIoHeapguard() throws IOException {
        Logger jul = Logger.getLogger("io.heapguard");
        List<LogRecord> records = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = jul.getUseParentHandlers();
        jul.setUseParentHandlers(false);
        jul.addHandler(h);
        try {
            GrowthTransformer t = new GrowthTransformer(List.of(missing()), WarningSink.LOG);
            transform(t, BAOS);
        } finally {
            jul.removeHandler(h);
            jul.setUseParentHandlers(parents);
        }
        assertEquals(1, records.size());
        assertEquals(Level.WARNING, records.get(0).getLevel());
        assertTrue(records.get(0).getMessage().contains("ensureCapacityGone(int)"), records.get(0).getMessage());
    }

    @Test
    void javaSignatureNamesTheMethodAsJavaDoes() {
        assertEquals("java.io.ByteArrayOutputStream.toString(java.nio.charset.Charset)",
                new ByteArrayOutputStreamCopy("toString", "(Ljava/nio/charset/Charset;)Ljava/lang/String;")
                        .javaSignature());
        assertTrue(new GrowthTransformer(Advices.all(), new Collecting()).targetClassNames()
                .containsAll(List.of("java.io.ByteArrayOutputStream", "java.nio.ByteBuffer")));
    }
}

package io.heapguard.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.util.CheckClassAdapter;

import io.heapguard.internal.GrowthHooks;
import io.heapguard.ledger.GrowthPoint;

/**
 * The advices of StringBuilder, CharArrayWriter, the read-all methods, ArrayList, ArrayDeque and HashMap on the
 * class files of the JDK running the test (run the build on JDK 17 and on 25): every method the running JDK's
 * shape names is found and rewritten as intended, and the classes verify.
 */
class JdkAdvicesTest {

    private static final class Collecting implements WarningSink {
        final List<String> lines = new ArrayList<>();

        @Override
        public void warn(String line) {
            lines.add(line);
        }
    }

    /** What each method calls: {@code owner.name descriptor}, in order. */
    private static Map<String, List<String>> calls(byte[] classfile) {
        Map<String, List<String>> calls = new HashMap<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                List<String> list = new ArrayList<>();
                calls.put(name + descriptor, list);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                        list.add(owner + "." + n + d);
                    }
                };
            }
        }, 0);
        return calls;
    }

    private static Map<String, byte[]> instrumentAll(Collecting sink) throws IOException {
        GrowthTransformer t = new GrowthTransformer(JdkAdvices.forThisJdk(), sink);
        Map<String, byte[]> out = new HashMap<>();
        for (String name : t.targetClassNames()) {
            String internal = name.replace('.', '/');
            out.put(internal, GrowthTransformerTest.transform(t, internal));
        }
        return out;
    }

    @Test
    void everyTargetClassIsInstrumentedWithoutWarningAndVerifies() throws IOException {
        Collecting sink = new Collecting();
        Map<String, byte[]> out = instrumentAll(sink);
        assertEquals(List.of(), sink.lines, "every advised method and growth site exists on " + Runtime.version());
        for (Map.Entry<String, byte[]> e : out.entrySet()) {
            assertNotNull(e.getValue(), e.getKey() + " instrumented");
            StringWriter problems = new StringWriter();
            CheckClassAdapter.verify(new ClassReader(e.getValue()), JdkAdvicesTest.class.getClassLoader(), false,
                    new PrintWriter(problems));
            assertEquals("", problems.toString(), e.getKey() + " verifies");
        }
    }

    /** The GrowthHooks methods each advised method calls, as a set of names; the JDK calls replaced are gone. */
    @Test
    void eachAdvisedMethodCallsItsHooksInsteadOfTheAllocation() throws IOException {
        Map<String, byte[]> out = instrumentAll(new Collecting());
        for (Advice a : JdkAdvices.forThisJdk()) {
            List<String> calls = calls(out.get(a.owner())).get(a.name() + a.descriptor());
            assertNotNull(calls, a.toString());
            Set<String> hooks = new TreeSet<>();
            for (String c : calls) {
                if (c.startsWith(Advice.HOOKS + ".")) {
                    hooks.add(c.substring(Advice.HOOKS.length() + 1, c.indexOf('(')));
                }
            }
            assertEquals(expectedHooks(a), hooks, a.toString());
            for (String c : calls) { // a call-site advice replaces every Arrays.copyOf of its method
                assertFalse(a instanceof CallSiteAdvice && c.startsWith("java/util/Arrays.copyOf("),
                        a + " still calls " + c);
            }
        }
    }

    private static Set<String> expectedHooks(Advice a) {
        String[] names;
        if (a instanceof StringBuilderGrowth) {
            names = new String[] {"copyOfBytes"};
        } else if (a instanceof StringBuilderInflate) {
            names = new String[] {"stringBuilderInflate", a.name().equals("inflate") ? "bindOwner" : "bind", "abandon"};
        } else if (a instanceof StringBuilderNewCoder) {
            names = new String[] {"stringBuilderNewCoder", "bind", "abandon"};
        } else if (a instanceof StringBuilderCopy) {
            names = new String[] {a.owner().endsWith("Buffer") ? "allocateUnlessCached" : "allocate", "bind", "abandon"};
        } else if (a instanceof CharArrayWriterGrowth) {
            names = new String[] {"copyOfChars"};
        } else if (a instanceof InputStreamReadAll) {
            names = new String[] {"readChunk", "newBytes", "copyOfBytes"};
        } else if (a instanceof SizedReadAll) {
            names = new String[] {"newBytes", "copyOfBytes"};
        } else if (a instanceof ByteArrayInputStreamCopy) {
            names = new String[] {"allocate", "bind", "abandon"};
        } else if (a instanceof ArrayListGrowth) {
            names = new String[] {"copyOfRefs", "newRefs"};
        } else if (a instanceof ArrayDequeGrowth) {
            names = new String[] {"copyOfRefs"};
        } else if (a instanceof ArrayDequeAddRollback || a instanceof HashMapPutRollback) {
            names = new String[] {"isRefusal"};
        } else if (a instanceof HashMapResize) {
            names = new String[] {"hashMapResize", "bindOwner", "abandon"};
        } else {
            throw new AssertionError("no expectation for " + a);
        }
        return new TreeSet<>(List.of(names));
    }

    @Test
    void everyCalledHookExistsInGrowthHooks() throws IOException {
        for (byte[] classfile : instrumentAll(new Collecting()).values()) {
            for (List<String> list : calls(classfile).values()) {
                for (String call : list) {
                    if (!call.startsWith(Advice.HOOKS + ".")) {
                        continue;
                    }
                    String rest = call.substring(Advice.HOOKS.length() + 1);
                    String name = rest.substring(0, rest.indexOf('('));
                    assertTrue(hasStatic(name, rest.substring(name.length())), "GrowthHooks." + rest);
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
    void theTargetClassesAreTheseForThisJdk() {
        Set<String> names = new GrowthTransformer(JdkAdvices.forThisJdk(), new Collecting()).targetClassNames();
        Set<String> expected = new LinkedHashSet<>(List.of("java.lang.AbstractStringBuilder", "java.lang.StringBuilder",
                "java.lang.StringBuffer", "java.io.CharArrayWriter", "java.io.InputStream", "java.io.FileInputStream",
                "java.io.ByteArrayInputStream", "java.nio.file.Files", "java.util.ArrayList", "java.util.ArrayDeque",
                "java.util.HashMap"));
        if (Runtime.version().feature() >= 25) {
            expected.add("sun.nio.ch.ChannelInputStream");
        }
        assertEquals(new TreeSet<>(expected), new TreeSet<>(names));
    }

    @Test
    void theStringBuilderShapeFollowsTheMethodsTheJdkDeclares() {
        List<String> legacy = signatures(JdkAdvices.build(true, false));
        assertTrue(legacy.contains("java.lang.AbstractStringBuilder.ensureCapacityInternal(int)"), legacy.toString());
        assertTrue(legacy.contains("java.lang.AbstractStringBuilder.inflate()"), legacy.toString());
        assertFalse(legacy.stream().anyMatch(s -> s.startsWith("sun.nio.ch.")), legacy.toString());
        List<String> helpers = signatures(JdkAdvices.build(false, true));
        assertTrue(helpers.contains("java.lang.AbstractStringBuilder.ensureCapacitySameCoder(byte[], byte, int)"));
        assertTrue(helpers.contains("java.lang.AbstractStringBuilder.ensureCapacityNewCoder(byte[], byte, int, int, byte)"));
        assertTrue(helpers.contains("java.lang.AbstractStringBuilder.inflateToUTF16(byte[], int)"));
        assertTrue(helpers.contains("sun.nio.ch.ChannelInputStream.readAllBytes()"));
        boolean jdk17Shape = Runtime.version().feature() < 25;
        assertEquals(jdk17Shape, signatures(JdkAdvices.forThisJdk())
                .contains("java.lang.AbstractStringBuilder.ensureCapacityInternal(int)"));
    }

    private static List<String> signatures(List<Advice> advices) {
        List<String> l = new ArrayList<>();
        for (Advice a : advices) {
            l.add(a.javaSignature());
        }
        return l;
    }

    /** A call-site advice whose site is gone (a JDK update changed the method): one line, the class untouched. */
    @Test
    void aMethodWithoutItsGrowthSiteLeavesTheClassAsItWasWithOneWarning() throws IOException {
        CallSiteAdvice gone = new CallSiteAdvice(CharArrayWriterGrowth.OWNER, "flush", "()V", false,
                GrowthPoint.CHAR_ARRAY_WRITER) {
            @Override
            boolean methodInsn(MethodVisitor mv, int opcode, String owner, String name, String descriptor) {
                return replaceCopyOf(mv, opcode, owner, name, descriptor, "([CI)[C", "copyOfChars");
            }
        };
        Collecting sink = new Collecting();
        List<Advice> advices = List.of(new CharArrayWriterGrowth("(I)V"), gone);
        GrowthTransformer t = new GrowthTransformer(advices, sink);
        assertNull(GrowthTransformerTest.transform(t, CharArrayWriterGrowth.OWNER));
        assertEquals(1, sink.lines.size(), sink.lines.toString());
        String line = sink.lines.get(0);
        assertTrue(line.startsWith("heapguard: could not instrument java.io.CharArrayWriter"), line);
        assertTrue(line.contains("'CharArrayWriter'") && line.contains("flush()"), line);
    }
}

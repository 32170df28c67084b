package io.heapguard.agent.bytecode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * {@link MethodRewriter} on {@link RewriteFixture}, whose methods have every shape it must move, with a
 * weaver that adds what the advices add (an entry call into a new local, code before each return, a
 * catch-all handler with its frame) and, before the entry call, 0 to 3 bytes of padding so that every
 * switch's alignment changes. The rewritten class is defined in a loader of its own, so the JVM verifies
 * its stack map frames; each method must then return what the original returns, and pass through the
 * added code on every way out.
 */
class MethodRewriterTest {

    private static final String FIXTURE = RewriteFixture.class.getName().replace('.', '/');
    private static final String SEEN = Seen.class.getName().replace('.', '/');

    /** What the woven code calls. Public: the rewritten fixture is in another loader. */
    public static final class Seen {
        static final AtomicInteger ENTERED = new AtomicInteger();
        static final AtomicInteger LEFT = new AtomicInteger();
        static final AtomicInteger THREW = new AtomicInteger();
        static final Object TOKEN = new Object();

        private Seen() {
        }

        public static Object enter() {
            ENTERED.incrementAndGet();
            return TOKEN;
        }

        public static void left(Object token) {
            if (token == TOKEN) {
                LEFT.incrementAndGet();
            }
        }

        public static void threw(Object token) {
            if (token == TOKEN) {
                THREW.incrementAndGet();
            }
        }

        static void reset() {
            ENTERED.set(0);
            LEFT.set(0);
            THREW.set(0);
        }
    }

    /** Entry call into the new local, a call before each return, a catch-all over the body. */
    private static final class Weaving implements MethodRewriter.Weaver {
        private final int padding;
        private final List<int[]> ranges = new ArrayList<>();
        private int start;

        Weaving(int padding) {
            this.padding = padding;
        }

        @Override
        public void atEntry(MethodRewriter r) {
            MethodVisitor mv = r.emitter();
            for (int i = 0; i < padding; i++) {
                mv.visitInsn(Opcodes.NOP);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, SEEN, "enter", "()Ljava/lang/Object;", false);
            mv.visitVarInsn(Opcodes.ASTORE, r.newLocal());
            start = r.position();
        }

        @Override
        public boolean atInstruction(MethodRewriter r) {
            int opcode = r.opcode();
            if (opcode < Opcodes.IRETURN || opcode > Opcodes.RETURN) {
                return false;
            }
            if (r.position() > start) {
                ranges.add(new int[] {start, r.position()});
            }
            MethodVisitor mv = r.emitter();
            mv.visitVarInsn(Opcodes.ALOAD, r.newLocal());
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, SEEN, "left", "(Ljava/lang/Object;)V", false);
            mv.visitInsn(opcode);
            start = r.position();
            return true;
        }

        @Override
        public void atEnd(MethodRewriter r) {
            if (r.position() > start) {
                ranges.add(new int[] {start, r.position()});
            }
            int handler = r.position();
            for (int[] range : ranges) {
                r.catchAll(range[0], range[1], handler);
            }
            r.handlerFrame(false);
            MethodVisitor mv = r.emitter();
            mv.visitVarInsn(Opcodes.ALOAD, r.newLocal());
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, SEEN, "threw", "(Ljava/lang/Object;)V", false);
            mv.visitInsn(Opcodes.ATHROW);
        }
    }

    private static byte[] fixture() throws IOException {
        try (InputStream in = RewriteFixture.class.getResourceAsStream("RewriteFixture.class")) {
            return in.readAllBytes();
        }
    }

    /** The fixture with every method but its constructor rewritten. */
    private static Class<?> rewritten(int padding) throws Exception {
        ClassFileEditor file = new ClassFileEditor(fixture());
        for (int m = 0; m < file.methodCount(); m++) {
            if (file.name(m).startsWith("<")) {
                continue;
            }
            MethodRewriter r = new MethodRewriter(file.classfile(), file.pool(), file.codeAttribute(m), FIXTURE,
                    (file.access(m) & Opcodes.ACC_STATIC) != 0, file.name(m), file.descriptor(m),
                    MethodRewriter.OBJECT_LOCAL);
            file.replaceCode(m, r.rewrite(new Weaving(padding)));
        }
        byte[] bytes = file.toByteArray();
        ClassLoader loader = new ClassLoader(MethodRewriterTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(RewriteFixture.class.getName())) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, bytes, 0, bytes.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        return Class.forName(RewriteFixture.class.getName(), true, loader); // linked: verified
    }

    private static Object call(Class<?> c, String name, Class<?>[] types, Object... args) throws Throwable {
        Method m = c.getMethod(name, types);
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void everyShapeStillVerifiesAndComputesWhatItDidWithEveryPadding() throws Throwable {
        for (int padding = 0; padding < 4; padding++) {
            Class<?> c = rewritten(padding);
            Seen.reset();
            int calls = 0;
            Class<?>[] shapes = {int.class, String.class};
            for (int k : new int[] {-5, 0, 1, 2, 3, 4, 9, 100}) {
                for (String s : new String[] {"alpha", "beta", "return", "42", "x"}) {
                    assertEquals(RewriteFixture.shapes(k, s), call(c, "shapes", shapes, k, s), k + " " + s);
                    calls++;
                }
            }
            for (int seed : new int[] {0, 7, Integer.MIN_VALUE}) {
                assertEquals(RewriteFixture.manyLocals(seed), call(c, "manyLocals", new Class<?>[] {int.class}, seed));
                calls++;
            }
            for (int count : new int[] {0, 5, 100}) {
                int[] expected = new int[1];
                RewriteFixture.sink(expected, count);
                int[] actual = new int[1];
                call(c, "sink", new Class<?>[] {int[].class, int.class}, actual, count);
                assertEquals(expected[0], actual[0], "sink " + count);
                calls++;
            }
            Class<?> rewrittenClass = c;
            assertThrows(IllegalArgumentException.class,
                    () -> call(rewrittenClass, "sink", new Class<?>[] {int[].class, int.class}, new int[1], -1));
            assertEquals(calls + 1, Seen.ENTERED.get(), "padding " + padding);
            assertEquals(calls, Seen.LEFT.get(), "every return passed the added code, padding " + padding);
            assertEquals(1, Seen.THREW.get(), "the throw passed the handler, padding " + padding);
        }
    }

    @Test
    void theNewLocalOfAMethodWithMoreThan255LocalsIsReachedWithWide() throws Exception {
        ClassFileEditor file = new ClassFileEditor(fixture());
        for (int m = 0; m < file.methodCount(); m++) {
            if (file.name(m).equals("manyLocals")) {
                MethodRewriter r = new MethodRewriter(file.classfile(), file.pool(), file.codeAttribute(m), FIXTURE,
                        true, file.name(m), file.descriptor(m), MethodRewriter.OBJECT_LOCAL);
                assertTrue(r.newLocal() > 255, "the fixture has " + r.newLocal() + " locals");
            }
        }
    }

    @Test
    void aJsrOrAnUnknownCodeAttributeIsRefusedNotGuessed() throws IOException {
        ClassFileEditor file = new ClassFileEditor(fixture());
        byte[] b = file.classfile().clone();
        int m = 0;
        while (!file.name(m).equals("sink")) {
            m++;
        }
        int code = file.codeAttribute(m);
        b[code + 14] = (byte) 168; // the first instruction becomes jsr
        ClassFileEditor broken = new ClassFileEditor(b);
        int method = m;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new MethodRewriter(b,
                broken.pool(), broken.codeAttribute(method), FIXTURE, true, "sink", "([II)V",
                MethodRewriter.OBJECT_LOCAL));
        assertTrue(e.getMessage().contains("jsr"), e.getMessage());
    }

    @Test
    void theClassOutsideTheRewrittenMethodsIsCopiedByteForByte() throws IOException {
        byte[] original = fixture();
        assertArrayEquals(original, new ClassFileEditor(original).toByteArray(), "nothing replaced, nothing added");
    }
}

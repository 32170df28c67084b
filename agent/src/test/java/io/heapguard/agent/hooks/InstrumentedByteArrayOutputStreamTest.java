package io.heapguard.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.SimpleRemapper;

/**
 * Runs the instrumented {@code ByteArrayOutputStream} of the running JDK: renamed (a {@code java.*} class
 * cannot be defined outside the bootstrap loader) and calling {@link RecordingHooks} instead of
 * {@code GrowthHooks}, defined in a throwaway loader. That loader's classes are fully verified, so this
 * also proves the computed frames; and it shows what a refusal leaves behind.
 */
class InstrumentedByteArrayOutputStreamTest {

    private static final String RENAMED = "hgtest/ByteArrayOutputStream";
    private static Class<?> baosClass;

    @BeforeEach
    void load() throws Exception {
        RecordingHooks.reset();
        if (baosClass == null) {
            byte[] instrumented = new GrowthTransformer(Advices.all(), line -> {
                throw new AssertionError(line);
            }).instrument(GrowthTransformerTest.BAOS, GrowthTransformerTest.jdkClass(GrowthTransformerTest.BAOS),
                    Advices.all().stream().filter(a -> a.owner().equals(GrowthTransformerTest.BAOS)).toList());
            ClassWriter w = new ClassWriter(0);
            new ClassReader(instrumented).accept(new ClassRemapper(w, new SimpleRemapper(Map.of(
                    GrowthTransformerTest.BAOS, RENAMED,
                    Advice.HOOKS, RecordingHooks.class.getName().replace('.', '/')))), 0);
            byte[] renamed = w.toByteArray();
            ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    if (name.equals(RENAMED.replace('/', '.'))) {
                        return defineClass(name, renamed, 0, renamed.length);
                    }
                    throw new ClassNotFoundException(name);
                }
            };
            baosClass = Class.forName(RENAMED.replace('/', '.'), true, loader);
        }
    }

    private static OutputStream newStream(int size) throws Exception {
        return (OutputStream) baosClass.getConstructor(int.class).newInstance(size);
    }

    private static byte[] buf(OutputStream out) throws Exception {
        Field f = baosClass.getDeclaredField("buf");
        f.setAccessible(true);
        return (byte[]) f.get(out);
    }

    private static Object call(OutputStream out, String name, Class<?>[] types, Object... args) throws Throwable {
        Method m = baosClass.getMethod(name, types);
        try {
            return m.invoke(out, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void aGrowthEntersWithTheCurrentAndMinimumCapacityAndBindsTheStreamItself() throws Exception {
        OutputStream out = newStream(32);
        out.write(new byte[20]);
        assertEquals(List.of("growth(32,20)", "bindOwner(token1)"), RecordingHooks.calls,
                "entered on every call; no growth");
        RecordingHooks.reset();
        out.write(new byte[40]);
        assertEquals(List.of("growth(32,60)", "bindOwner(token1)"), RecordingHooks.calls);
        assertEquals(64, buf(out).length);
        assertSame(out, RecordingHooks.bound.get(0), "bound to the stream, never to the (humongous) array");
    }

    @Test
    void aRefusalLeavesTheStreamAsItWasAndUsable() throws Throwable {
        OutputStream out = newStream(16);
        out.write(new byte[10]);
        byte[] before = buf(out);
        RecordingHooks.reset();
        RecordingHooks.refusal = new IllegalStateException("refused");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> out.write(new byte[100]));
        assertEquals("refused", e.getMessage());
        assertEquals(List.of("growth(16,110)"), RecordingHooks.calls, "neither bound nor abandoned");
        assertSame(before, buf(out), "same array");
        assertEquals(10, call(out, "size", new Class<?>[0]));
        RecordingHooks.refusal = null;
        out.write(1);
        assertEquals(11, call(out, "size", new Class<?>[0]));
    }

    @Test
    void copiesEnterWithTheCountAndBindTheResult() throws Throwable {
        OutputStream out = newStream(8);
        out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
        RecordingHooks.reset();
        byte[] copy = (byte[]) call(out, "toByteArray", new Class<?>[0]);
        assertArrayEquals("hello".getBytes(StandardCharsets.ISO_8859_1), copy);
        String s1 = (String) call(out, "toString", new Class<?>[0]);
        String s2 = (String) call(out, "toString", new Class<?>[] {String.class}, "UTF-8");
        String s3 = (String) call(out, "toString", new Class<?>[] {java.nio.charset.Charset.class},
                StandardCharsets.UTF_8);
        String s4 = (String) call(out, "toString", new Class<?>[] {int.class}, 0);
        assertEquals(List.of("hello", "hello", "hello", "hello"), List.of(s1, s2, s3, s4));
        assertEquals(List.of("allocate(0,5)", "bind(token1)", "allocate(0,5)", "bind(token2)", "allocate(0,5)", "bind(token3)",
                "allocate(0,5)", "bind(token4)", "allocate(0,5)", "bind(token5)"), RecordingHooks.calls);
        assertSame(copy, RecordingHooks.bound.get(0));
        assertSame(s1, RecordingHooks.bound.get(1));
        assertSame(s4, RecordingHooks.bound.get(4));
    }

    @Test
    void anExceptionFromTheBodyAbandonsTheReservationAndPropagates() throws Throwable {
        OutputStream out = newStream(8);
        out.write(1);
        RecordingHooks.reset();
        assertThrows(UnsupportedEncodingException.class,
                () -> call(out, "toString", new Class<?>[] {String.class}, "no-such-charset"));
        assertEquals(List.of("allocate(0,1)", "abandon(token1)"), RecordingHooks.calls);
    }

    @Test
    void aRefusedCopyHandsNothingOut() throws Throwable {
        OutputStream out = newStream(8);
        out.write(1);
        RecordingHooks.reset();
        RecordingHooks.refusal = new IllegalStateException("refused");
        assertThrows(IllegalStateException.class, () -> call(out, "toByteArray", new Class<?>[0]));
        assertEquals(List.of("allocate(0,1)"), RecordingHooks.calls);
    }
}

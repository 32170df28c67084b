package io.heapguard.agent.netty;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Netty weaving on a shaded copy of netty-buffer (the test class path's 4.1), relocated under
 * {@code io.grpc.netty.shaded.} as grpc-netty-shaded does, woven by {@link NettyTransformer} and defined in
 * a throwaway loader, whose classes the JVM verifies in full; the hooks go to {@link RecordingNettyHooks}.
 * Growths, releases, what a refusal leaves behind, and Netty's direct memory, with Netty's own allocators.
 */
class NettyTransformerTest {
    private static final String SHADED = "io/grpc/netty/shaded/";
    private static final String HOOKS = NettyHook.HOOKS;
    private static final int MiB = 1 << 20;

    private static final List<String> warnings = new ArrayList<>();
    private static final NettyTransformer transformer = new NettyTransformer(NettyBuffers.hooks(), warnings::add);
    private static ClassLoader shaded;

    @BeforeAll
    static void shade() {
        shaded = new ShadingLoader(NettyTransformerTest.class.getClassLoader());
    }

    @BeforeEach
    void reset() {
        RecordingNettyHooks.reset();
    }

    @Test
    void nettyBufferClassesAreMatchedShadedOrNot() {
        assertNotNull(transformer.hooksFor("io/netty/buffer/PooledByteBuf"));
        assertNotNull(transformer.hooksFor(SHADED + "io/netty/buffer/PooledByteBuf"));
        assertNotNull(transformer.hooksFor("io/netty/buffer/AdaptivePoolingAllocator$AdaptiveByteBuf"));
        assertNull(transformer.hooksFor("io/netty/buffer/ByteBuf"), "nothing to weave there");
        assertNull(transformer.hooksFor("com/example/xio/netty/buffer/PooledByteBuf"));
        assertNull(transformer.hooksFor("io/netty/buffer/sub/PooledByteBuf"));
        assertTrue(NettyTransformer.isNettyMemory("io/netty/util/internal/PlatformDependent0"));
        assertTrue(NettyTransformer.isNettyMemory(SHADED + "io/netty/buffer/Unpooled"));
        assertFalse(NettyTransformer.isNettyMemory("io/netty/channel/Channel"));
        assertTrue(NettyTransformer.allocatesDirectMemory(SHADED + "io/netty/util/internal/CleanerJava9"));
        assertTrue(NettyTransformer.allocatesDirectMemory("io/netty/channel/unix/Buffer"));
        assertTrue(NettyTransformer.allocatesDirectMemory("io/netty/buffer/PoolArena$DirectArena"));
        assertFalse(NettyTransformer.allocatesDirectMemory("io/netty/channel/Channel"));
        assertFalse(NettyTransformer.allocatesDirectMemory("com/example/io/netty/util/internal/sub/X"));
    }

    @Test
    void nettysDirectMemoryIsTakenThroughTheHookNotThroughByteBufferAllocateDirect() throws Throwable {
        Object buf = newBuffer("UnpooledByteBufAllocator", true, 1024);
        write(buf, 1500);
        assertEquals(List.of("capacity(1024,2048,direct)"), RecordingNettyHooks.calls);
        assertTrue(RecordingNettyHooks.directAllocations.containsAll(List.of(1024, 2048)),
                RecordingNettyHooks.directAllocations::toString);
        assertEquals(1500, call(buf, "readableBytes", new Class<?>[0]));
        call(buf, "release", new Class<?>[0]);

        RecordingNettyHooks.reset();
        Object pooled = newAllocator("PooledByteBufAllocator", true);
        call(call(pooled, "directBuffer", new Class<?>[] {int.class}, 256), "release", new Class<?>[0]);
        int chunkSize = (Integer) call(call(pooled, "metric", new Class<?>[0]), "chunkSize", new Class<?>[0]);
        assertTrue(RecordingNettyHooks.directAllocations.contains(chunkSize),
                () -> "the arena's chunk: " + RecordingNettyHooks.directAllocations);
        assertTrue(warnings.isEmpty(), warnings::toString);
    }

    @Test
    void aPooledHeapBufferGrowsThroughTheHookAndIsReleasedThroughIt() throws Throwable {
        Object buf = newBuffer("PooledByteBufAllocator", false, 256);
        write(buf, MiB);
        assertEquals(List.of("capacity(256,1048576,heap)"), RecordingNettyHooks.calls, "Netty's next power of two");
        RecordingNettyHooks.calls.clear();
        assertEquals(true, call(buf, "release", new Class<?>[0]));
        assertEquals(List.of("release(1048576)"), RecordingNettyHooks.calls);
        assertTrue(warnings.isEmpty(), warnings::toString);
    }

    @Test
    void anUnpooledHeapBufferLeavesItsOldArrayToTheCollector() throws Throwable {
        Object buf = newBuffer("UnpooledByteBufAllocator", false, 64);
        write(buf, 100);
        assertEquals(List.of("capacity(64,128,heap,garbage)"), RecordingNettyHooks.calls);
        RecordingNettyHooks.calls.clear();
        call(buf, "release", new Class<?>[0]);
        assertEquals(List.of(), RecordingNettyHooks.calls, "its array is credited when collected");
    }

    @Test
    void aRefusedGrowthLeavesTheBufferReadableAndIntact() throws Throwable {
        Object buf = newBuffer("PooledByteBufAllocator", true, 1024);
        write(buf, 1000);
        RecordingNettyHooks.refusal = new IllegalStateException("refused");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> write(buf, 100));
        assertEquals("refused", e.getMessage());
        assertEquals(List.of("capacity(1024,2048,direct)"), RecordingNettyHooks.calls);
        assertEquals(1024, call(buf, "capacity", new Class<?>[0]));
        assertEquals(1000, call(buf, "readableBytes", new Class<?>[0]));
        assertEquals((byte) 999, call(buf, "getByte", new Class<?>[] {int.class}, 999));
        RecordingNettyHooks.refusal = null;
        write(buf, 100);
        assertEquals(1100, call(buf, "readableBytes", new Class<?>[0]));
        call(buf, "release", new Class<?>[0]);
    }

    @Test
    void aRefusedComponentIsReleasedAndTheCompositeKeepsWhatItHad() throws Throwable {
        Object alloc = newAllocator("UnpooledByteBufAllocator", false);
        Object composite = call(alloc, "compositeHeapBuffer", new Class<?>[0]);
        Class<?> byteBuf = shaded.loadClass("io.grpc.netty.shaded.io.netty.buffer.ByteBuf");
        // Looked up on the public type: Netty's leak detector hands out, for one buffer in 128, a composite
        // wrapped in a package-private class whose methods reflection may not call.
        Method add = shaded.loadClass("io.grpc.netty.shaded.io.netty.buffer.CompositeByteBuf")
                .getMethod("addComponent", boolean.class, byteBuf);
        Object first = write(call(alloc, "heapBuffer", new Class<?>[] {int.class}, 64), 10);
        add.invoke(composite, true, first);
        assertEquals(List.of("add(0,10,heap)"), RecordingNettyHooks.calls);

        Object second = write(call(alloc, "heapBuffer", new Class<?>[] {int.class}, 64), 20);
        RecordingNettyHooks.refusal = new IllegalStateException("refused");
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> add.invoke(composite, true, second));
        assertEquals("refused", e.getCause().getMessage());
        assertEquals(0, call(second, "refCnt", new Class<?>[0]), "released, as Netty does when an add fails");
        assertEquals(10, call(composite, "readableBytes", new Class<?>[0]));
        assertEquals(1, call(composite, "numComponents", new Class<?>[0]));
        RecordingNettyHooks.calls.clear();
        RecordingNettyHooks.refusal = null;
        call(composite, "release", new Class<?>[0]);
        assertEquals(List.of("release(10)"), RecordingNettyHooks.calls);
    }

    private static Object newAllocator(String simpleName, boolean preferDirect) throws Exception {
        return shaded.loadClass("io.grpc.netty.shaded.io.netty.buffer." + simpleName).getConstructor(boolean.class)
                .newInstance(preferDirect);
    }

    /** A buffer of {@code initialCapacity} from a new allocator of the shaded copy, direct or heap. */
    private static Object newBuffer(String allocator, boolean direct, int initialCapacity) throws Throwable {
        return call(newAllocator(allocator, direct), direct ? "directBuffer" : "heapBuffer", new Class<?>[] {int.class},
                initialCapacity);
    }

    /** Writes {@code bytes} bytes (the byte at index i is (byte) i); returns the buffer. */
    private static Object write(Object buf, int bytes) throws Throwable {
        int start = (Integer) call(buf, "writerIndex", new Class<?>[0]);
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) (start + i);
        }
        assertSame(buf, call(buf, "writeBytes", new Class<?>[] {byte[].class}, (Object) data));
        return buf;
    }

    private static Object call(Object target, String name, Class<?>[] types, Object... args) throws Throwable {
        Method m = target.getClass().getMethod(name, types);
        m.setAccessible(true);
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Defines netty-buffer and netty-common relocated under {@link #SHADED}, child first; the classes the
     * transformer changes are woven after the relocation, their calls to the hooks then pointed at
     * {@link RecordingNettyHooks}.
     */
    private static final class ShadingLoader extends ClassLoader {
        ShadingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (!name.startsWith(SHADED.replace('/', '.'))) {
                    return super.loadClass(name, resolve);
                }
                Class<?> c = findLoadedClass(name);
                return c != null ? c : findClass(name);
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            String internal = name.replace('.', '/');
            String original = internal.substring(SHADED.length());
            byte[] bytes;
            try (InputStream in = getParent().getResourceAsStream(original + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                bytes = remap(in.readAllBytes(), SHADED_NETTY);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
            byte[] woven = transformer.transform(null, this, internal, null, null, bytes);
            if (transformer.hooksFor(internal) != null) {
                assertNotNull(woven, internal + " woven");
            }
            if (woven != null) {
                bytes = remap(woven, RECORDING);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }

        private static final Remapper SHADED_NETTY = new Remapper() {
            @Override
            public String map(String internalName) {
                return internalName.startsWith("io/netty/") ? SHADED + internalName : internalName;
            }
        };

        private static final Remapper RECORDING = new Remapper() {
            @Override
            public String map(String internalName) {
                return internalName.equals(HOOKS) ? RecordingNettyHooks.class.getName().replace('.', '/') : internalName;
            }
        };

        private static byte[] remap(byte[] classfile, Remapper remapper) {
            ClassWriter w = new ClassWriter(0);
            new ClassReader(classfile).accept(new ClassRemapper(w, remapper), 0);
            return w.toByteArray();
        }
    }
}

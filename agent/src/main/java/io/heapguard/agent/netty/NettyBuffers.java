package io.heapguard.agent.netty;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

import io.heapguard.agent.hooks.WarningSink;

/**
 * Growth point {@code netty.ByteBuf}: the capacity increases of Netty 4.1 and 4.2 buffers and their release.
 *
 * <table>
 * <caption>What is woven (the same in 4.1.138 and 4.2.18; {@code javap -p -c})</caption>
 * <tr><th>class in {@code io.netty.buffer}</th><th>growth ({@code capacity(int)}, entry)</th><th>release ({@code deallocate()}, entry)</th></tr>
 * <tr><td>{@code PooledByteBuf} (heap, direct, unsafe)</td><td>yes, the old memory goes back to the arena</td><td>yes</td></tr>
 * <tr><td>{@code AdaptivePoolingAllocator$AdaptiveByteBuf}</td><td>yes, as pooled</td><td>yes</td></tr>
 * <tr><td>{@code UnpooledHeapByteBuf} (and its unsafe and instrumented subclasses)</td><td>yes, the old array is
 *     left to the collector</td><td>no: its array is garbage then, credited when collected</td></tr>
 * <tr><td>{@code UnpooledDirectByteBuf} (and subclasses), {@code UnpooledUnsafeNoCleanerDirectByteBuf}
 *     (which overrides {@code capacity(int)})</td><td>yes, the old memory is freed</td><td>yes (inherited)</td></tr>
 * <tr><td>{@code CompositeByteBuf}</td><td>{@code addComponent0(boolean, int, ByteBuf)}, through which
 *     {@code addComponent}, {@code addFlattenedComponents}, {@code addComponents(Iterable)} and
 *     {@code capacity(int)} add</td><td>yes</td></tr>
 * </table>
 */
public final class NettyBuffers {

    private NettyBuffers() {
    }

    static List<NettyHook> hooks() {
        List<NettyHook> l = new ArrayList<>();
        l.add(new NettyHook.Capacity("PooledByteBuf", null, false));
        l.add(new NettyHook.Release("PooledByteBuf"));
        l.add(new NettyHook.Capacity("AdaptivePoolingAllocator$AdaptiveByteBuf", null, false));
        l.add(new NettyHook.Release("AdaptivePoolingAllocator$AdaptiveByteBuf"));
        l.add(new NettyHook.Capacity("UnpooledHeapByteBuf", Boolean.FALSE, true));
        l.add(new NettyHook.Capacity("UnpooledDirectByteBuf", Boolean.TRUE, false));
        l.add(new NettyHook.Release("UnpooledDirectByteBuf"));
        l.add(new NettyHook.Capacity("UnpooledUnsafeNoCleanerDirectByteBuf", Boolean.TRUE, false));
        l.add(new NettyHook.AddComponent());
        l.add(new NettyHook.Release("CompositeByteBuf"));
        return l;
    }

    /**
     * Registers the transformer (retransformation-capable, so another agent's retransformation keeps the
     * hooks) and, for an agent attached late, weaves the Netty classes already loaded (the buffers, and those
     * that take direct memory): at {@code -javaagent} start-up none is, and the walk over every loaded class
     * is left out. Call once the ledger is installed.
     */
    public static NettyTransformer install(Instrumentation inst, boolean attachedLate) {
        NettyTransformer transformer = new NettyTransformer(hooks(), WarningSink.LOG);
        inst.addTransformer(transformer, true);
        if (!attachedLate) {
            return transformer;
        }
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName();
            String internalName = name.replace('.', '/');
            if (name.contains("io.netty.") && inst.isModifiableClass(c) && (transformer.hooksFor(internalName) != null
                    || NettyTransformer.allocatesDirectMemory(internalName))) {
                loaded.add(c);
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (Exception | LinkageError e) {
                WarningSink.LOG.warn("heapguard: could not instrument " + c.getName() + " (" + e
                        + "); growth point 'netty.ByteBuf' is not guarded there");
            }
        }
        return transformer;
    }
}

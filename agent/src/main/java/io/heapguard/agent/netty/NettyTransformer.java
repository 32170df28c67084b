package io.heapguard.agent.netty;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.heapguard.agent.hooks.WarningSink;
import io.heapguard.internal.GrowthHooks;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Weaves {@link NettyHook}s into Netty's buffer classes as any class loader defines them: classes named
 * {@code io/netty/buffer/X} or, shaded, {@code <prefix>/io/netty/buffer/X}
 * ({@code io/grpc/netty/shaded/io/netty/buffer/PooledByteBuf}). Any other class costs a look at its name.
 *
 * <p>Nothing is loaded while transforming: the hooks keep the class's frames, so the writer only counts
 * the operand stack. A class whose hooked methods are all missing (a Netty this does not know) is reported
 * once, one line naming the class and the methods, and left as it is; any failure leaves the class as it was.
 */
public final class NettyTransformer implements ClassFileTransformer {
    static final String PACKAGE = "io/netty/buffer/";

    private final Map<String, List<NettyHook>> bySimpleName;
    private final WarningSink sink;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    NettyTransformer(List<NettyHook> hooks, WarningSink sink) {
        Map<String, List<NettyHook>> m = new HashMap<>();
        for (NettyHook h : hooks) {
            List<NettyHook> list = m.get(h.simpleName);
            if (list == null) {
                list = new ArrayList<>();
                m.put(h.simpleName, list);
            }
            list.add(h);
        }
        this.bySimpleName = Collections.unmodifiableMap(m);
        this.sink = sink;
    }

    /**
     * Whether the class (internal name) takes memory for Netty's buffers, shaded or not: the buffer package,
     * and {@code io/netty/util/internal/PlatformDependent*}, through which the allocators make their arrays.
     */
    public static boolean isNettyMemory(String internalName) {
        if (packageStart(internalName) >= 0) {
            return true;
        }
        int i = internalName.lastIndexOf(PLATFORM_DEPENDENT);
        return i >= 0 && (i == 0 || internalName.charAt(i - 1) == '/');
    }

    private static final String PLATFORM_DEPENDENT = "io/netty/util/internal/PlatformDependent";

    /** Where {@code io/netty/buffer/} starts in the name, at its start or after a '/', directly holding the class; else -1. */
    private static int packageStart(String internalName) {
        int i = internalName.lastIndexOf(PACKAGE);
        if (i < 0 || i > 0 && internalName.charAt(i - 1) != '/'
                || internalName.indexOf('/', i + PACKAGE.length()) >= 0) {
            return -1;
        }
        return i;
    }

    /** The hooks for this class (internal name), or null. */
    List<NettyHook> hooksFor(String internalName) {
        int i = packageStart(internalName);
        return i < 0 ? null : bySimpleName.get(internalName.substring(i + PACKAGE.length()));
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || classfileBuffer == null) {
            return null;
        }
        List<NettyHook> hooks = hooksFor(className);
        if (hooks == null) {
            return null;
        }
        try {
            return instrument(className, classfileBuffer, hooks);
        } catch (Throwable t) {
            warnOnce(className, "heapguard: could not instrument " + className.replace('/', '.') + " (" + t
                    + "); growth point 'netty.ByteBuf' is not guarded there");
            return null;
        }
    }

    /** The woven class file, or null when none of its hooked methods is there. */
    byte[] instrument(String className, byte[] classfile, List<NettyHook> hooks) {
        String prefix = className.substring(0, packageStart(className));
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        HookingClassVisitor visitor = new HookingClassVisitor(writer, className, prefix, hooks);
        reader.accept(visitor, 0);
        if (visitor.woven == 0) {
            warnOnce(className, "heapguard: " + className.replace('/', '.') + " has none of " + hooks
                    + " (a Netty version heapguard does not know); growth point 'netty.ByteBuf' is not guarded there");
            return null;
        }
        byte[] woven = writer.toByteArray();
        GrowthHooks.markNettyInUse();
        return woven;
    }

    private void warnOnce(String key, String line) {
        if (warned.add(key)) {
            sink.warn(line);
        }
    }

    private static final class HookingClassVisitor extends ClassVisitor {
        private final String owner;
        private final String prefix;
        private final List<NettyHook> hooks;
        int woven;

        HookingClassVisitor(ClassVisitor cv, String owner, String prefix, List<NettyHook> hooks) {
            super(Opcodes.ASM9, cv);
            this.owner = owner;
            this.prefix = prefix;
            this.hooks = hooks;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            if (mv == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE)) != 0) {
                return mv;
            }
            for (NettyHook h : hooks) {
                if (h.method.equals(name) && h.descriptor(prefix).equals(descriptor)) {
                    woven++;
                    return new EntryVisitor(mv, h, owner, prefix);
                }
            }
            return mv;
        }
    }

    private static final class EntryVisitor extends MethodVisitor {
        private final NettyHook hook;
        private final String owner;
        private final String prefix;
        private final Label[] labels = {new Label(), new Label(), new Label()};

        EntryVisitor(MethodVisitor mv, NettyHook hook, String owner, String prefix) {
            super(Opcodes.ASM9, mv);
            this.hook = hook;
            this.owner = owner;
            this.prefix = prefix;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            hook.enter(mv, owner, prefix, labels);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            hook.end(mv, owner, prefix, labels);
            super.visitMaxs(maxStack, maxLocals);
        }
    }
}

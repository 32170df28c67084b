package io.heapguard.agent.netty;

import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.heapguard.agent.hooks.WarningSink;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Weaves {@link NettyHook}s into Netty's buffer classes as any class loader defines them: classes named
 * {@code io/netty/buffer/X} or, shaded, {@code <prefix>/io/netty/buffer/X}
 * ({@code io/grpc/netty/shaded/io/netty/buffer/PooledByteBuf}).
 *
 * <p>In the classes of Netty's that take direct memory ({@link #allocatesDirectMemory}), every
 * {@code ByteBuffer.allocateDirect(int)} is replaced by {@code NettyHooks.allocateDirect(int)}: that memory (an
 * arena's chunk, an unpooled direct buffer's) is charged to the buffers cut from it, not as
 * {@code ByteBuffer.allocateDirect}. Such a class is parsed only if its bytes name {@code allocateDirect};
 * any other class costs a look at its name.
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

    /**
     * Netty's packages whose code calls {@code ByteBuffer.allocateDirect} for memory: the buffers' (4.1's arenas
     * and unpooled direct buffers), {@code io.netty.util.internal}'s (4.2's cleaners and
     * {@code PlatformDependent}), and the native transports' ({@code io.netty.channel.unix.Buffer}); the only
     * callers in Netty 4.1.138 and 4.2.18 ({@code javap -c} over buffer, common, transport, the native
     * transports, handler and the codecs).
     */
    private static final String[] DIRECT_MEMORY_PACKAGES = {PACKAGE, "io/netty/util/internal/", "io/netty/channel/unix/"};

    /** Whether the class (internal name) is one of Netty's that take direct memory, shaded or not. */
    static boolean allocatesDirectMemory(String internalName) {
        for (String p : DIRECT_MEMORY_PACKAGES) {
            if (packageStart(internalName, p) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Where {@code io/netty/buffer/} starts in the name, at its start or after a '/', directly holding the class; else -1. */
    private static int packageStart(String internalName) {
        return packageStart(internalName, PACKAGE);
    }

    /** Where {@code pkg} starts in the name, at its start or after a '/', directly holding the class; else -1. */
    private static int packageStart(String internalName, String pkg) {
        int i = internalName.lastIndexOf(pkg);
        if (i < 0 || i > 0 && internalName.charAt(i - 1) != '/'
                || internalName.indexOf('/', i + pkg.length()) >= 0) {
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
        boolean allocates = allocatesDirectMemory(className) && mentions(classfileBuffer, ALLOCATE_DIRECT_NAME);
        if (hooks == null && !allocates) {
            return null;
        }
        try {
            return instrument(className, classfileBuffer, hooks == null ? List.of() : hooks, allocates);
        } catch (Throwable t) {
            warnOnce(className, "heapguard: could not instrument " + className.replace('/', '.') + " (" + t
                    + "); growth point 'netty.ByteBuf' is not guarded there");
            return null;
        }
    }

    private static final String ALLOCATE_DIRECT = "allocateDirect";
    private static final String ALLOCATE_DIRECT_DESCRIPTOR = "(I)Ljava/nio/ByteBuffer;";
    private static final byte[] ALLOCATE_DIRECT_NAME = ALLOCATE_DIRECT.getBytes(StandardCharsets.US_ASCII);

    /** Whether {@code name} occurs in the class file: most classes are left without being parsed. */
    private static boolean mentions(byte[] classfile, byte[] name) {
        outer:
        for (int i = 0, last = classfile.length - name.length; i <= last; i++) {
            for (int j = 0; j < name.length; j++) {
                if (classfile[i + j] != name[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The woven class file, or null when nothing in it changed: none of its hooked methods is there (reported
     * when {@code hooks} is not empty) and it calls no {@code ByteBuffer.allocateDirect}.
     *
     * @param allocatesDirect one of Netty's classes that take direct memory, whose bytes name {@code allocateDirect}
     */
    private byte[] instrument(String className, byte[] classfile, List<NettyHook> hooks, boolean allocatesDirect) {
        String prefix = className.substring(0, className.lastIndexOf("io/netty/"));
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        HookingClassVisitor visitor = new HookingClassVisitor(writer, className, prefix, hooks, allocatesDirect);
        reader.accept(visitor, 0);
        if (visitor.woven == 0 && !hooks.isEmpty()) {
            warnOnce(className, "heapguard: " + className.replace('/', '.') + " has none of " + hooks
                    + " (a Netty version heapguard does not know); growth point 'netty.ByteBuf' is not guarded there");
        }
        if (visitor.woven == 0 && visitor.rewritten == 0) {
            return null;
        }
        return writer.toByteArray();
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
        private final boolean allocatesDirect;
        int woven;
        /** The {@code ByteBuffer.allocateDirect} calls replaced. */
        int rewritten;

        HookingClassVisitor(ClassVisitor cv, String owner, String prefix, List<NettyHook> hooks,
                            boolean allocatesDirect) {
            super(Opcodes.ASM9, cv);
            this.owner = owner;
            this.prefix = prefix;
            this.hooks = hooks;
            this.allocatesDirect = allocatesDirect;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            if (mv == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE)) != 0) {
                return mv;
            }
            if (allocatesDirect) {
                mv = new DirectAllocationRewriter(mv);
            }
            for (NettyHook h : hooks) {
                if (h.method.equals(name) && h.descriptor(prefix).equals(descriptor)) {
                    woven++;
                    return new EntryVisitor(mv, h, owner, prefix);
                }
            }
            return mv;
        }

        /**
         * Points {@code ByteBuffer.allocateDirect(int)} at {@code NettyHooks.allocateDirect(int)}, which takes and
         * returns the same.
         */
        private final class DirectAllocationRewriter extends MethodVisitor {
            DirectAllocationRewriter(MethodVisitor mv) {
                super(Opcodes.ASM9, mv);
            }

            @Override
            public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
                if (opcode == Opcodes.INVOKESTATIC && owner.equals("java/nio/ByteBuffer")
                        && name.equals(ALLOCATE_DIRECT) && descriptor.equals(ALLOCATE_DIRECT_DESCRIPTOR)) {
                    rewritten++;
                    super.visitMethodInsn(opcode, NettyHook.HOOKS, ALLOCATE_DIRECT, ALLOCATE_DIRECT_DESCRIPTOR, false);
                    return;
                }
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            }
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

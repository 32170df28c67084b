package io.heapguard.agent.scopes;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.heapguard.agent.hooks.WarningSink;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Instruments the application classes named by {@code scope.<name>.entry}: every method of the entry's
 * name (every overload; not bridges, constructors, abstract or native methods) opens the scope on entry
 * and closes it on every way out, exceptions included (see {@link ScopeEntryMethodVisitor}). Registered
 * with {@code canRetransform = true}, so another agent's retransformation keeps the scopes. A class not
 * named costs one map look-up; a class of the bootstrap or platform class loader is never touched.
 *
 * <p>No class is loaded to instrument one: the new local goes after the method's own, so nothing is
 * renumbered, and the stack map frames are extended rather than recomputed.
 */
public final class ScopeEntryTransformer implements ClassFileTransformer {

    /** One configured entry: the method name in its class, and the scope's index in {@code ScopeHooks}. */
    static final class Entry {
        final String scope;
        final String method;
        final int index;

        Entry(String scope, String method, int index) {
            this.scope = scope;
            this.method = method;
            this.index = index;
        }
    }

    private final Map<String, List<Entry>> byClass;
    private final WarningSink sink;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    ScopeEntryTransformer(Map<String, List<Entry>> byClass, WarningSink sink) {
        this.byClass = byClass;
        this.sink = sink;
    }

    /** Application classes only: not the bootstrap or the platform class loader's (the JDK's). */
    static boolean eligible(ClassLoader loader) {
        return loader != null && loader != ClassLoader.getPlatformClassLoader();
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || !eligible(loader)) {
            return null;
        }
        List<Entry> entries = byClass.get(className);
        if (entries == null) {
            return null;
        }
        try {
            return instrument(className, classfileBuffer, entries);
        } catch (Throwable t) {
            warnOnce(className + "!", "heapguard: could not instrument " + className.replace('/', '.') + " (" + t
                    + "); its scope entries are not opened");
            return null;
        }
    }

    /** The instrumented class file, or null when the class has none of the entry methods. */
    byte[] instrument(String className, byte[] classfile, List<Entry> entries) {
        ClassReader reader = new ClassReader(classfile);
        Map<String, Integer> maxLocals = maxLocals(reader, entries);
        ClassWriter writer = new ClassWriter(reader, 0);
        EntryClassVisitor visitor = new EntryClassVisitor(writer, entries, maxLocals);
        reader.accept(visitor, ClassReader.EXPAND_FRAMES);
        for (Entry e : entries) {
            if (!visitor.found.contains(e.method)) {
                warnOnce(className + "#" + e.method, "heapguard: scope." + e.scope + ".entry names "
                        + className.replace('/', '.') + "#" + e.method + ", but " + className.replace('/', '.')
                        + " has no method '" + e.method + "' with code; this scope is never opened");
            }
        }
        return visitor.found.isEmpty() ? null : writer.toByteArray();
    }

    /** A first pass: each entry method's {@code max_locals}, where the new local will go. */
    private static Map<String, Integer> maxLocals(ClassReader reader, List<Entry> entries) {
        Map<String, Integer> result = new HashMap<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (entryIndex(entries, access, name) < 0) {
                    return null;
                }
                final String key = name + descriptor;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMaxs(int maxStack, int max) {
                        result.put(key, max);
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES | ClassReader.SKIP_DEBUG);
        return result;
    }

    /** The scope index of the entry this method is, or -1. */
    static int entryIndex(List<Entry> entries, int access, String name) {
        if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE | Opcodes.ACC_SYNTHETIC)) != 0
                || name.charAt(0) == '<') {
            return -1;
        }
        for (Entry e : entries) {
            if (e.method.equals(name)) {
                return e.index;
            }
        }
        return -1;
    }

    private void warnOnce(String key, String line) {
        if (warned.add(key)) {
            sink.warn(line);
        }
    }

    private static final class EntryClassVisitor extends ClassVisitor {
        private final List<Entry> entries;
        private final Map<String, Integer> maxLocals;
        final Set<String> found = new java.util.HashSet<>();
        private boolean frames;

        EntryClassVisitor(ClassVisitor cv, List<Entry> entries, Map<String, Integer> maxLocals) {
            super(Opcodes.ASM9, cv);
            this.entries = entries;
            this.maxLocals = maxLocals;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                          String[] interfaces) {
            frames = (version & 0xFFFF) >= Opcodes.V1_6;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            int index = entryIndex(entries, access, name);
            Integer locals = maxLocals.get(name + descriptor);
            if (index < 0 || locals == null || mv == null) {
                return mv;
            }
            found.add(name);
            return new ScopeEntryMethodVisitor(Opcodes.ASM9, mv, index, locals, frames);
        }
    }
}

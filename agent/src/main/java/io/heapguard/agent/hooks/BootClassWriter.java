package io.heapguard.agent.hooks;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;

/**
 * A {@link ClassWriter} for JDK classes: frame computation resolves types through the bootstrap class
 * loader (where the instrumented classes and everything they name live) without initialising them, then
 * the system class loader; an unknown type merges to {@code java/lang/Object}, as ASM does for interfaces.
 * (Retransformation rejects a class whose frames are wrong with a {@code VerifyError}, which leaves
 * the class as it was; the transformer reports it.)
 */
final class BootClassWriter extends ClassWriter {

    private static final String OBJECT = "java/lang/Object";

    BootClassWriter(ClassReader reader) {
        super(reader, ClassWriter.COMPUTE_FRAMES);
    }

    @Override
    protected String getCommonSuperClass(String type1, String type2) {
        if (type1.equals(type2)) {
            return type1;
        }
        if (OBJECT.equals(type1) || OBJECT.equals(type2)) {
            return OBJECT;
        }
        Class<?> c = load(type1);
        Class<?> d = load(type2);
        if (c == null || d == null) {
            return OBJECT;
        }
        if (c.isAssignableFrom(d)) {
            return type1;
        }
        if (d.isAssignableFrom(c)) {
            return type2;
        }
        if (c.isInterface() || d.isInterface()) {
            return OBJECT;
        }
        do {
            c = c.getSuperclass();
        } while (!c.isAssignableFrom(d));
        return c.getName().replace('.', '/');
    }

    private static Class<?> load(String internalName) {
        String name = internalName.replace('/', '.');
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            try {
                return Class.forName(name, false, ClassLoader.getSystemClassLoader());
            } catch (ClassNotFoundException | LinkageError e2) {
                return null;
            }
        }
    }
}

package io.heapguard.agent;

import java.nio.charset.StandardCharsets;

/**
 * The superclass and interfaces of a class file, read straight from its bytes: ordering the classes
 * {@link BootInjector} defines needs nothing more, and a bytecode library would have to be loaded,
 * verified and run interpreted first (about 10 ms of start-up with ASM's reader).
 */
final class ClassHeader {

    private ClassHeader() {
    }

    /**
     * @return internal names: the superclass first ({@code null} for {@code java/lang/Object} and
     *         {@code module-info}), then the interfaces in declaration order
     * @throws IllegalArgumentException if the bytes are not a class file this reader understands
     */
    static String[] supertypes(byte[] classfile) {
        if (classfile.length < 10 || u4(classfile, 0) != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file");
        }
        int count = u2(classfile, 8);
        int[] entries = new int[count];
        int p = 10;
        for (int i = 1; i < count; i++) {
            entries[i] = p;
            int tag = classfile[p] & 0xff;
            switch (tag) {
                case 1 -> p += 3 + u2(classfile, p + 1);               // Utf8
                case 5, 6 -> { p += 9; i++; }                            // Long, Double take two entries
                case 7, 8, 16, 19, 20 -> p += 3;                         // Class, String, MethodType, Module, Package
                case 15 -> p += 4;                                       // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> p += 5;              // Integer, Float, refs, NameAndType, (Invoke)Dynamic
                default -> throw new IllegalArgumentException("constant pool tag " + tag + " at entry " + i);
            }
        }
        // access_flags u2, this_class u2, super_class u2, interfaces_count u2, interfaces u2[]
        int superClass = u2(classfile, p + 4);
        int interfaces = u2(classfile, p + 6);
        String[] supertypes = new String[interfaces + 1];
        supertypes[0] = superClass == 0 ? null : className(classfile, entries, superClass);
        for (int i = 0; i < interfaces; i++) {
            supertypes[i + 1] = className(classfile, entries, u2(classfile, p + 8 + 2 * i));
        }
        return supertypes;
    }

    /** Class names are ASCII in the agent's own jar; modified UTF-8 only differs for NUL and beyond U+FFFF. */
    private static String className(byte[] classfile, int[] entries, int classIndex) {
        int utf8 = entries[u2(classfile, entries[classIndex] + 1)];
        return new String(classfile, utf8 + 3, u2(classfile, utf8 + 1), StandardCharsets.UTF_8);
    }

    private static int u2(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static int u4(byte[] b, int p) {
        return (u2(b, p) << 16) | u2(b, p + 2);
    }
}

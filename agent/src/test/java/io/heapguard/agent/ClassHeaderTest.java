package io.heapguard.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

class ClassHeaderTest {

    record Point(int x, long y, double z) implements Comparable<Point> {
        @Override
        public int compareTo(Point o) {
            return Double.compare(z, o.z);
        }
    }

    private static byte[] classFile(String resource) throws IOException {
        try (InputStream in = ClassHeaderTest.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    /** ASM's reading of the same bytes, in {@link ClassHeader#supertypes}' shape. */
    private static String[] byAsm(byte[] classfile) {
        ClassReader r = new ClassReader(classfile);
        String[] interfaces = r.getInterfaces();
        String[] all = new String[interfaces.length + 1];
        all[0] = r.getSuperName();
        System.arraycopy(interfaces, 0, all, 1, interfaces.length);
        return all;
    }

    @Test
    void readsWhatAsmReadsWhateverTheConstantPoolHolds() throws IOException {
        // long and double constants (two entries each), method handles and invokedynamic (records,
        // lambdas, string concatenation), module and package constants (module-info), no superclass
        for (String resource : List.of("/java/lang/Object.class", "/java/lang/Long.class", "/java/lang/Double.class",
                "/java/util/HashMap.class", "/java/util/stream/Collectors.class", "/java/lang/invoke/MethodHandles.class",
                "/module-info.class", "/" + Point.class.getName().replace('.', '/') + ".class",
                "/" + ClassHeader.class.getName().replace('.', '/') + ".class",
                "/" + BootInjector.class.getName().replace('.', '/') + ".class")) {
            byte[] classfile = resource.startsWith("/java/") || resource.equals("/module-info.class")
                    ? jdkClassFile(resource) : classFile(resource);
            assertArrayEquals(byAsm(classfile), ClassHeader.supertypes(classfile), resource);
        }
    }

    private static byte[] jdkClassFile(String resource) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    @Test
    void refusesWhatIsNotAClassFile() {
        assertThrows(IllegalArgumentException.class, () -> ClassHeader.supertypes(new byte[] {1, 2, 3}));
        byte[] unknownTag = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 0, 2, 99};
        assertThrows(IllegalArgumentException.class, () -> ClassHeader.supertypes(unknownTag));
    }

    static {
        MethodHandles.lookup(); // keeps the import honest: this class itself holds a method handle constant
    }
}

package io.heapguard.agent;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * {@link JdkInternals} on the running JDK (surefire exports the packages to the class path; the agent
 * exports them to a private loader instead).
 */
class JdkInternalsTest {

    @Test
    void definesAClassInTheBootstrapLoaderThatTheBootstrapLoaderThenFinds() throws Exception {
        String name = "io/heapguard/agent/probe/BootProbe" + System.nanoTime();
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, name, null, "java/lang/Object", null);
        w.visitEnd();
        Class<?> c = new JdkInternals().apply(name.replace('/', '.'), inTheMiddle(w.toByteArray()));
        assertNull(c.getClassLoader(), "bootstrap");
        assertSame(c, Class.forName(name.replace('/', '.'), false, null));
        assertSame(c, Class.forName(name.replace('/', '.'), false, getClass().getClassLoader()),
                "the application loader delegates to it");
    }

    /** The class file as the remaining bytes of a buffer that holds other bytes on both sides, as the boot image's does. */
    private static ByteBuffer inTheMiddle(byte[] classfile) {
        byte[] around = new byte[classfile.length + 20];
        System.arraycopy(classfile, 0, around, 7, classfile.length);
        return ByteBuffer.wrap(around, 7, classfile.length).slice(); // a non-zero array offset too
    }

    @Test
    void waitsForReferenceProcessingThroughThePlatform() throws Exception {
        assertNotNull(new JdkInternals().call());
        new JdkPlatform(new JdkInternals()).waitForReferenceProcessing(); // returns, whatever it found
    }
}

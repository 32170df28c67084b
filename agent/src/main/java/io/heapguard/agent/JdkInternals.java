package io.heapguard.agent;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

import jdk.internal.access.SharedSecrets;
import jdk.internal.misc.Unsafe;

/**
 * The only code that touches JDK internals, and it calls them directly: reflection and method handles
 * on these paths cost tens of milliseconds of start-up on JDK 25 (each new call shape spins classes).
 *
 * <p>{@link BootInjector} defines this class in a private class loader and exports
 * {@code jdk.internal.misc} and {@code jdk.internal.access} to that loader's unnamed module alone; the
 * copy the application class loader could load has no such access and is never used. The agent talks to
 * the instance through JDK interfaces only, so no agent type crosses the two loaders:
 * <ul>
 * <li>{@link #apply}: defines a class in the bootstrap class loader ({@code Unsafe.defineClass} with a
 *     {@code null} loader) from a heap buffer's remaining bytes; its superclass and interfaces must
 *     already be defined;</li>
 * <li>{@link #call}: {@code SharedSecrets.getJavaLangRefAccess().waitForReferenceProcessing()}, as
 *     {@code java.nio.Bits.reserveMemory} calls it before giving up on direct memory.</li>
 * </ul>
 * Compiled with {@code -source/-target 17 --add-exports} (see agent/pom.xml); both methods have the same
 * signature on JDK 17 and 25.
 */
public final class JdkInternals implements BiFunction<String, ByteBuffer, Class<?>>, Callable<Boolean> {

    public JdkInternals() {
    }

    @Override
    public Class<?> apply(String binaryName, ByteBuffer classfile) {
        return Unsafe.getUnsafe().defineClass(binaryName, classfile.array(),
                classfile.arrayOffset() + classfile.position(), classfile.remaining(), null, null);
    }

    @Override
    public Boolean call() throws InterruptedException {
        return SharedSecrets.getJavaLangRefAccess().waitForReferenceProcessing();
    }
}

package io.heapguard.agent;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;

/**
 * The only code that touches JDK internals. {@link BootInjector} defines this class in a private class
 * loader and exports {@code jdk.internal.misc} and {@code jdk.internal.access} to that loader's unnamed
 * module alone; the copy the application class loader can see has no such access. Everything here is
 * reflective because the agent is compiled with {@code --release 17}, which hides JDK internals.
 */
public final class JdkInternals {

    private JdkInternals() {
    }

    /**
     * Defines each class in the bootstrap class loader, in the order given (supertypes first).
     *
     * @param names   binary names ({@code io.heapguard.ledger.Ledger})
     * @param classes their class files
     */
    public static void defineInBootLoader(String[] names, byte[][] classes) throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        for (int i = 0; i < names.length; i++) {
            define.invoke(unsafe, names[i], classes[i], 0, classes[i].length, null, null);
        }
    }

    /**
     * {@code SharedSecrets.getJavaLangRefAccess().waitForReferenceProcessing()} as a handle of type
     * {@code ()boolean}, as {@code java.nio.Bits.reserveMemory} calls it. Invoking a handle needs no
     * access of its own, so the agent's {@code Platform} can use it from any class.
     */
    public static MethodHandle referenceProcessingWaiter() throws ReflectiveOperationException {
        Class<?> secrets = Class.forName("jdk.internal.access.SharedSecrets");
        Object access = secrets.getMethod("getJavaLangRefAccess").invoke(null);
        Class<?> accessType = Class.forName("jdk.internal.access.JavaLangRefAccess");
        return MethodHandles.lookup()
                .findVirtual(accessType, "waitForReferenceProcessing", MethodType.methodType(boolean.class))
                .bindTo(access);
    }
}

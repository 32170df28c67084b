package io.heapguard.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.objectweb.asm.ClassReader;

/**
 * Defines the core classes, nested in the agent jar as {@value #CORE_JAR}, in the bootstrap class loader.
 *
 * <p>The instrumented JDK classes call {@code io.heapguard.internal.GrowthHooks}, so it and everything
 * it reaches must be bootstrap classes, and exactly one copy of each must exist. Appending a jar to the
 * bootstrap search path would do that, but makes the JVM print "Sharing is only supported for boot
 * loader classes because bootstrap classpath has been appended" and turns class-data sharing off for
 * application classes. So each class is defined directly with {@code jdk.internal.misc.Unsafe.defineClass}
 * and a {@code null} loader, supertypes first. The append remains as the fallback.
 *
 * <p>Access to {@code jdk.internal.misc} and {@code jdk.internal.access} is granted (with
 * {@link Instrumentation#redefineModule}) only to the unnamed module of a private class loader holding
 * {@link JdkInternals}, not to the application class loader's unnamed module, which the application
 * shares with the agent.
 */
final class BootInjector {

    /** The nested core jar, relative to this class's package. Written by the build (see agent/pom.xml). */
    static final String CORE_JAR = "heapguard-core.jar";

    private BootInjector() {
    }

    /**
     * @return the result of {@link JdkInternals#referenceProcessingWaiter()}, or {@code null} when it
     *         is not available
     */
    static Object inject(Instrumentation inst) throws Exception {
        byte[] coreJar = readResource(CORE_JAR);
        if (coreJar == null) {
            throw new IllegalStateException("the agent jar holds no io/heapguard/agent/" + CORE_JAR
                    + " (was it built by 'mvn package'?)");
        }
        Map<String, byte[]> classes = readClasses(coreJar);
        List<String> order = supertypesFirst(classes);

        Class<?> internals = null;
        Throwable unsafeFailure;
        try {
            internals = new PrivateLoader(AgentMain.class.getClassLoader())
                    .define(JdkInternals.class.getName(), readResource("JdkInternals.class"));
            Module javaBase = Object.class.getModule();
            Set<Module> privateModule = Set.of(internals.getModule());
            inst.redefineModule(javaBase, Set.of(),
                    Map.of("jdk.internal.misc", privateModule, "jdk.internal.access", privateModule),
                    Map.of(), Set.of(), Map.of());

            String[] names = order.toArray(new String[0]);
            byte[][] bytes = new byte[names.length][];
            for (int i = 0; i < names.length; i++) {
                bytes[i] = classes.get(names[i]);
                names[i] = names[i].replace('/', '.');
            }
            invoke(internals, "defineInBootLoader", new Class<?>[] {String[].class, byte[][].class}, names, bytes);
            unsafeFailure = null;
        } catch (Exception | LinkageError e) {
            unsafeFailure = e instanceof InvocationTargetException ? e.getCause() : e;
        }
        if (unsafeFailure != null) {
            appendToBootstrapSearch(inst, coreJar, unsafeFailure);
        }
        return internals == null ? null : referenceProcessingWaiter(internals);
    }

    private static Object referenceProcessingWaiter(Class<?> internals) {
        try {
            return invoke(internals, "referenceProcessingWaiter", new Class<?>[0]);
        } catch (Exception | LinkageError e) {
            return null; // the ledger then does without (Platform.NONE)
        }
    }

    private static Object invoke(Class<?> c, String name, Class<?>[] types, Object... args) throws Exception {
        Method m = c.getMethod(name, types);
        return m.invoke(null, args);
    }

    /** The fallback: costs class-data sharing for application classes, and the JVM says so once. */
    private static void appendToBootstrapSearch(Instrumentation inst, byte[] coreJar, Throwable why)
            throws IOException {
        Path tmp = Files.createTempFile("heapguard-core-", ".jar");
        tmp.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(coreJar);
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(tmp.toFile()));
        Log.warn("heapguard: could not define the core classes in the bootstrap class loader directly ("
                + why + "); appended " + tmp + " to the bootstrap class path instead");
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in = BootInjector.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** Internal class name to class file, for every class of the core jar. */
    static Map<String, byte[]> readClasses(byte[] jar) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new java.io.ByteArrayInputStream(jar))) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(16 * 1024);
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName();
                if (e.isDirectory() || !name.endsWith(".class") || name.startsWith("META-INF/")
                        || name.endsWith("module-info.class") || name.endsWith("package-info.class")) {
                    continue;
                }
                buffer.reset();
                zip.transferTo(buffer);
                classes.put(name.substring(0, name.length() - ".class".length()), buffer.toByteArray());
            }
        }
        return classes;
    }

    /**
     * A definition order in which every class comes after its superclass and interfaces that are also
     * core classes: defining a class resolves its supertypes in the same (bootstrap) loader.
     */
    static List<String> supertypesFirst(Map<String, byte[]> classes) {
        Map<String, String[]> supertypes = new HashMap<>();
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            ClassReader r = new ClassReader(e.getValue());
            String[] interfaces = r.getInterfaces();
            String[] all = new String[interfaces.length + 1];
            all[0] = r.getSuperName();
            System.arraycopy(interfaces, 0, all, 1, interfaces.length);
            supertypes.put(e.getKey(), all);
        }
        List<String> order = new ArrayList<>(classes.size());
        Set<String> placed = new HashSet<>();
        for (String name : classes.keySet()) {
            place(name, supertypes, placed, new HashSet<>(), order);
        }
        return order;
    }

    private static void place(String name, Map<String, String[]> supertypes, Set<String> placed,
                              Set<String> visiting, List<String> order) {
        String[] sup = supertypes.get(name);
        if (sup == null || placed.contains(name)) {
            return; // a JDK type, or done
        }
        if (!visiting.add(name)) {
            throw new IllegalStateException("circular supertypes at " + name);
        }
        for (String s : sup) {
            if (s != null) {
                place(s, supertypes, placed, visiting, order);
            }
        }
        placed.add(name);
        order.add(name);
    }

    /** Holds {@link JdkInternals} in an unnamed module of its own. */
    private static final class PrivateLoader extends ClassLoader {
        PrivateLoader(ClassLoader parent) {
            super("heapguard-internals", parent);
        }

        Class<?> define(String name, byte[] bytes) {
            if (bytes == null) {
                throw new IllegalStateException("the agent jar holds no " + name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}

package io.heapguard.agent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import org.objectweb.asm.ClassReader;

/**
 * Defines the core classes, nested in the agent jar as {@value #CORE_JAR_ENTRY}, in the bootstrap class loader.
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
 * {@code JdkInternals}, not to the application class loader's unnamed module, which the application
 * shares with the agent.
 */
final class BootInjector {

    /** The nested core jar. Written by the build (see agent/pom.xml). */
    static final String CORE_JAR_ENTRY = "io/heapguard/agent/heapguard-core.jar";

    /** Binary name of {@code JdkInternals}, not a class literal: that class is compiled separately. */
    private static final String JDK_INTERNALS = "io.heapguard.agent.JdkInternals";

    private BootInjector() {
    }

    /**
     * Reaches the JDK internals and, if {@code defineCore}, defines the core classes in the bootstrap
     * class loader (falling back to appending them to the bootstrap class path).
     *
     * @param defineCore false when the core classes are already there (a re-attach after a refused
     *                   configuration, or core on {@code -Xbootclasspath/a}): only the internals are needed
     * @return a {@code Callable<Boolean>} that waits for reference processing (see {@code JdkInternals}),
     *         or {@code null} when JDK internals could not be reached
     */
    static Object inject(Instrumentation inst, boolean defineCore) throws Exception {
        byte[] coreJar = null;
        byte[] internalsClass;
        try (ZipFile agentJar = agentJar()) {
            internalsClass = read(agentJar, JDK_INTERNALS.replace('.', '/') + ".class");
            if (defineCore) {
                coreJar = read(agentJar, CORE_JAR_ENTRY);
                if (coreJar == null) {
                    throw new IllegalStateException("the agent jar holds no " + CORE_JAR_ENTRY
                            + " (was it built by 'mvn package'?)");
                }
            }
        }
        Map<String, byte[]> classes = defineCore ? readClasses(coreJar) : Map.of();
        List<String> order = supertypesFirst(classes);

        Object internals = null;
        Throwable failure = null;
        try {
            Class<?> c = new PrivateLoader(AgentMain.class.getClassLoader()).define(JDK_INTERNALS, internalsClass);
            Set<Module> privateModule = Set.of(c.getModule());
            inst.redefineModule(Object.class.getModule(), Set.of(),
                    Map.of("jdk.internal.misc", privateModule, "jdk.internal.access", privateModule),
                    Map.of(), Set.of(), Map.of());
            internals = c.getConstructor().newInstance();
            @SuppressWarnings("unchecked")
            BiFunction<String, byte[], Class<?>> define = (BiFunction<String, byte[], Class<?>>) internals;
            for (String name : order) {
                define.apply(name.replace('/', '.'), classes.get(name));
            }
        } catch (Exception | LinkageError e) {
            failure = e instanceof InvocationTargetException ? e.getCause() : e;
        }
        if (failure != null && defineCore) {
            appendToBootstrapSearch(inst, coreJar, failure);
        }
        return internals;
    }

    /**
     * The jar this class was loaded from, opened directly: a {@code getResourceAsStream} would first ask
     * the bootstrap loader (the JDK's module image) and go through {@code jar:} URL handlers, several
     * milliseconds of class loading. The JDK shares the open file with the class loader's own handle.
     */
    private static ZipFile agentJar() throws IOException, URISyntaxException {
        CodeSource cs = BootInjector.class.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            throw new IllegalStateException("cannot tell which jar the agent was loaded from");
        }
        return new ZipFile(new File(cs.getLocation().toURI()));
    }

    private static byte[] read(ZipFile jar, String entry) throws IOException {
        ZipEntry e = jar.getEntry(entry);
        if (e == null) {
            return null;
        }
        try (InputStream in = jar.getInputStream(e)) {
            return in.readAllBytes();
        }
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

    /** Internal class name to class file, for every class of the core jar (the command line's too). */
    static Map<String, byte[]> readClasses(byte[] jar) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
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

    /** Holds {@code JdkInternals} in an unnamed module of its own. */
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

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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Defines the core classes, nested in the agent jar as {@value #CORE_JAR_ENTRY}, and the agent's own
 * runtime classes in the bootstrap class loader.
 *
 * <p>The instrumented JDK classes call {@code io.heapguard.internal.GrowthHooks}, so it and everything
 * it reaches must be bootstrap classes, and exactly one copy of each must exist. Appending a jar to the
 * bootstrap search path would do that, but makes the JVM print "Sharing is only supported for boot
 * loader classes because bootstrap classpath has been appended" and turns class-data sharing off for
 * application classes. So each class is defined directly with {@code jdk.internal.misc.Unsafe.defineClass}
 * and a {@code null} loader, supertypes first, read from the {@link BootImage} the build wrote. The append
 * remains as the fallback for core.
 *
 * <p>The agent's runtime classes (hooks, transformers, management, the shaded ASM: see
 * {@link BootImageWriter#definedWithCore}) go the same way, for start-up: the application class
 * loader would look each up on the class path and verify it, about 0.4 ms a class on this project's
 * machine, where a definition here costs about 0.06 ms. The application loader still finds them, through
 * its parent, and never loads its own copy: they are defined before anything names them.
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
     * Reaches the JDK internals and defines what is not yet in the bootstrap class loader: the core
     * classes (falling back to appending them to the bootstrap class path) and the agent's runtime.
     *
     * @param defineCore  false when the core classes are already there (a re-attach after a refused
     *                    configuration, or core on {@code -Xbootclasspath/a})
     * @param defineAgent false when the agent's runtime classes are already there (a re-attach)
     * @return a {@code Callable<Boolean>} that waits for reference processing (see {@code JdkInternals}),
     *         or {@code null} when JDK internals could not be reached
     */
    static Object inject(Instrumentation inst, boolean defineCore, boolean defineAgent) throws Exception {
        try (ZipFile agentJar = agentJar()) {
            byte[] internalsClass = read(agentJar, JDK_INTERNALS.replace('.', '/') + ".class");
            ZipEntry imageEntry = agentJar.getEntry(BootImage.ENTRY);
            if (imageEntry == null && (defineCore || defineAgent)) {
                throw new IllegalStateException("the agent jar holds no " + BootImage.ENTRY
                        + " (was it built by 'mvn package'?)");
            }
            Object internals = null;
            BiFunction<String, ByteBuffer, Class<?>> define = null;
            Throwable failure = null;
            try {
                Class<?> c = new PrivateLoader(AgentMain.class.getClassLoader()).define(JDK_INTERNALS, internalsClass);
                Set<Module> privateModule = Set.of(c.getModule());
                inst.redefineModule(Object.class.getModule(), Set.of(),
                        Map.of("jdk.internal.misc", privateModule, "jdk.internal.access", privateModule),
                        Map.of(), Set.of(), Map.of());
                internals = c.getConstructor().newInstance();
                define = asDefiner(internals);
            } catch (Exception | LinkageError e) {
                failure = e instanceof InvocationTargetException ? e.getCause() : e;
            }
            if (!defineCore && !defineAgent) {
                return internals;
            }
            try (InputStream in = agentJar.getInputStream(imageEntry)) {
                BootImage image = new BootImage(in);
                if (failure == null) {
                    failure = defineSection(image, defineCore ? define : null);
                }
                if (failure != null) {
                    if (defineCore) {
                        // The agent's runtime classes then load from the agent jar as any class-path class would.
                        appendToBootstrapSearch(inst, failure);
                    }
                    return internals;
                }
                if (defineAgent) {
                    // Core is in place; a failure from here on leaves part of the agent in the bootstrap loader
                    // and part nowhere, so it stops the agent (the caller reports it) rather than limp on.
                    image.section(define);
                }
            }
            return internals;
        }
    }

    /**
     * Defines (or, with {@code define} null, skips) the image's core section; returns what stopped a
     * definition, or null. A broken image is the build's fault and is thrown, not returned.
     */
    private static Throwable defineSection(BootImage image, BiFunction<String, ByteBuffer, Class<?>> define)
            throws IOException {
        try {
            image.section(define);
            return null;
        } catch (IOException brokenImage) {
            throw brokenImage;
        } catch (Exception | LinkageError e) {
            return e;
        }
    }

    @SuppressWarnings("unchecked")
    private static BiFunction<String, ByteBuffer, Class<?>> asDefiner(Object internals) {
        return (BiFunction<String, ByteBuffer, Class<?>>) internals;
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
    private static void appendToBootstrapSearch(Instrumentation inst, Throwable why) throws Exception {
        byte[] coreJar;
        try (ZipFile agentJar = agentJar()) {
            coreJar = read(agentJar, CORE_JAR_ENTRY);
        }
        if (coreJar == null) {
            throw new IllegalStateException("the agent jar holds no " + CORE_JAR_ENTRY, why);
        }
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

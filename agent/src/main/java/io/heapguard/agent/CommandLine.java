package io.heapguard.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * The agent jar's {@code Main-Class}: {@code java -jar heapguard-agent.jar <command>}. Never loaded by
 * {@code premain} or {@code agentmain}.
 *
 * <p>The core classes are nested in the jar (see {@link BootInjector}), so the command line runs in a class
 * loader of its own that defines them, and heapguard's command-line classes with them, from the jar.
 */
public final class CommandLine {
    private static final String CLI = "io.heapguard.agent.cli.Cli";

    private CommandLine() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    private static int run(String[] args) {
        try {
            File jar = new File(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            byte[] core;
            try (InputStream in = CommandLine.class.getClassLoader().getResourceAsStream(BootInjector.CORE_JAR_ENTRY)) {
                if (in == null) {
                    throw new IllegalStateException("the agent jar holds no " + BootInjector.CORE_JAR_ENTRY);
                }
                core = in.readAllBytes();
            }
            ClassLoader loader = new CliLoader(BootInjector.readClasses(core), CommandLine.class.getClassLoader());
            return (Integer) Class.forName(CLI, true, loader).getMethod("run", String[].class, String.class)
                    .invoke(null, args, jar.getAbsolutePath());
        } catch (InvocationTargetException e) {
            System.err.println("heapguard: " + e.getCause());
            e.getCause().printStackTrace();
            return 1;
        } catch (ReflectiveOperationException | IOException | java.net.URISyntaxException | RuntimeException e) {
            System.err.println("heapguard: the command line cannot start: " + e);
            return 1;
        }
    }

    /** Defines {@code io.heapguard.*} itself (core from the nested jar, the rest from the agent jar); JDK classes from its parent. */
    private static final class CliLoader extends ClassLoader {
        private final Map<String, byte[]> core;
        private final ClassLoader jar;

        CliLoader(Map<String, byte[]> core, ClassLoader jar) {
            super("heapguard-cli", jar);
            this.core = core;
            this.jar = jar;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.heapguard.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String internal = name.replace('.', '/');
                    byte[] bytes = core.get(internal);
                    if (bytes == null) {
                        try (InputStream in = jar.getResourceAsStream(internal + ".class")) {
                            if (in == null) {
                                throw new ClassNotFoundException(name);
                            }
                            bytes = in.readAllBytes();
                        } catch (IOException e) {
                            throw new ClassNotFoundException(name, e);
                        }
                    }
                    c = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}

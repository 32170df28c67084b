package io.heapguard.it;

import org.junit.jupiter.api.Assertions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the build put things, as passed by the pom (with fallbacks for running from an IDE). */
public final class Build {
    private Build() {
    }

    /** The repository root (the reactor's directory). */
    public static Path root() {
        String p = System.getProperty("heapguard.root");
        if (p != null && !p.isBlank()) {
            return Paths.get(p).toAbsolutePath().normalize();
        }
        Path here = Paths.get("").toAbsolutePath();
        return Files.isDirectory(here.resolve("agent")) ? here : here.getParent();
    }

    /** {@code agent/target/heapguard-agent.jar}, which may not exist yet. */
    public static Path agentJarPath() {
        String p = System.getProperty("heapguard.agent.jar");
        return p != null && !p.isBlank() ? Paths.get(p).toAbsolutePath().normalize()
                : root().resolve("agent/target/heapguard-agent.jar");
    }

    /** The agent jar; fails the test (not skips it) when it has not been built. */
    public static Path agentJar() {
        Path jar = agentJarPath();
        if (!Files.isRegularFile(jar)) {
            Assertions.fail("the agent jar " + jar + " does not exist: build it first "
                    + "(mvn verify builds agent/ before these tests; mvn -pl agent -am package builds it alone)");
        }
        return jar;
    }

    /** {@code examples/target/heapguard-examples.jar}, which may not exist yet. */
    public static Path examplesJarPath() {
        String p = System.getProperty("heapguard.examples.jar");
        return p != null && !p.isBlank() ? Paths.get(p).toAbsolutePath().normalize()
                : root().resolve("examples/target/heapguard-examples.jar");
    }

    /** {@code integration-tests/spring-boot-app/target/heapguard-it-spring-boot-app.jar}, the executable Boot jar. */
    public static Path springBootAppJar() {
        String p = System.getProperty("heapguard.it.spring-boot-app.jar");
        Path jar = p != null && !p.isBlank() ? Paths.get(p).toAbsolutePath().normalize()
                : root().resolve("integration-tests/spring-boot-app/target/heapguard-it-spring-boot-app.jar");
        if (!Files.isRegularFile(jar)) {
            Assertions.fail("the Spring Boot application " + jar + " does not exist: build it first "
                    + "(mvn -pl integration-tests/spring-boot-app -am package)");
        }
        return jar;
    }

    /** The class path of the test applications: this module's {@code target/test-classes}. */
    public static Path appsClasspath() {
        String p = System.getProperty("heapguard.it.apps.classpath");
        if (p != null && !p.isBlank()) {
            return Paths.get(p).toAbsolutePath().normalize();
        }
        try {
            return Paths.get(Build.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A directory for the JVMs' output and generated files: {@code target/it-runs}. */
    public static Path workDir() {
        String p = System.getProperty("heapguard.it.workdir");
        Path dir = p != null && !p.isBlank() ? Paths.get(p) : Paths.get("target", "it-runs");
        try {
            return Files.createDirectories(dir.toAbsolutePath().normalize());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The jar a class was loaded from (for a library on the test class path). */
    public static Path jarOf(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("no code source for " + type, e);
        }
    }
}

package io.heapguard.it;

import io.heapguard.it.apps.FatJarApp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/**
 * An application jar that carries the agent and starts it with {@code Launcher-Agent-Class}, configured by
 * system properties only: {@code java -Dheapguard.rule.cap... -jar fat.jar}.
 */
class LauncherAgentFatJarTest {

    @OnEachJdk
    void fatJarWithLauncherAgentClassRefuses(Jdk jdk) throws IOException {
        Jvm jvm = Jvm.on(jdk); // skips before building anything when the JDK is missing
        Path fat = buildFatJar(Build.workDir().resolve("fat-" + jdk.feature() + ".jar"));
        JvmResult r = jvm
                .sysProp("heapguard.rule.cap.targets", "ByteArrayOutputStream")
                .sysProp("heapguard.rule.cap.max-buffer", "16m")
                .runJar(fat);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);
        assertRefused(r, "cap", "cap", FatJarApp.class, 32 * MiB, 16 * MiB, "ByteArrayOutputStream");
        r.assertResult("size-after", 16 * MiB);
        r.assertResult("content-unchanged", true);
    }

    /** The test applications' classes plus every entry of the agent jar, with a manifest of our own. */
    static Path buildFatJar(Path target) throws IOException {
        Path agentJar = Build.agentJar();
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, FatJarApp.class.getName());
        main.putValue("Launcher-Agent-Class", "io.heapguard.agent.AgentMain");
        main.putValue("Can-Retransform-Classes", "true");
        try (JarFile agent = new JarFile(agentJar.toFile())) {
            Manifest agentManifest = agent.getManifest();
            if (agentManifest != null
                    && "true".equalsIgnoreCase(agentManifest.getMainAttributes().getValue("Multi-Release"))) {
                main.putValue("Multi-Release", "true"); // the agent's versioned entries keep working
            }
            Set<String> seen = new HashSet<>(Set.of("META-INF/", JarFile.MANIFEST_NAME));
            try (OutputStream fileOut = Files.newOutputStream(target);
                 JarOutputStream out = new JarOutputStream(fileOut, manifest)) {
                addApps(out, seen);
                copyEntries(agent, out, seen);
            }
        }
        return target;
    }

    private static void addApps(JarOutputStream out, Set<String> seen) throws IOException {
        Path classes = Build.appsClasspath();
        Path apps = classes.resolve("io/heapguard/it/apps");
        List<Path> files;
        try (Stream<Path> s = Files.walk(apps)) {
            files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        for (Path f : files) {
            String name = classes.relativize(f).toString().replace('\\', '/');
            if (seen.add(name)) {
                out.putNextEntry(new JarEntry(name));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static void copyEntries(JarFile agent, JarOutputStream out, Set<String> seen) throws IOException {
        Enumeration<JarEntry> entries = agent.entries();
        byte[] buf = new byte[64 * 1024];
        while (entries.hasMoreElements()) {
            JarEntry e = entries.nextElement();
            String name = e.getName();
            String upper = name.toUpperCase(java.util.Locale.ROOT);
            if (upper.startsWith("META-INF/") && (upper.endsWith(".SF") || upper.endsWith(".DSA")
                    || upper.endsWith(".RSA") || upper.endsWith(".EC"))) {
                continue; // signatures would not match the new jar
            }
            if (!seen.add(name)) {
                continue;
            }
            out.putNextEntry(new JarEntry(name));
            if (!e.isDirectory()) {
                try (InputStream in = agent.getInputStream(e)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                    }
                }
            }
            out.closeEntry();
        }
    }
}

package io.heapguard.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootInjectorTest {

    private static byte[] classFile(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream("/" + c.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    interface Base {
    }

    static class Middle implements Base {
    }

    static final class Leaf extends Middle implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void supertypesComeFirst() throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (Class<?> c : List.of(Leaf.class, Middle.class, Base.class)) { // worst order
            classes.put(c.getName().replace('.', '/'), classFile(c));
        }
        List<String> order = BootImageWriter.supertypesFirst(classes);
        assertEquals(List.of(Base.class, Middle.class, Leaf.class).stream()
                .map(c -> c.getName().replace('.', '/')).toList(), order);
    }

    @Test
    void readsOnlyClassesFromTheNestedJar() throws IOException {
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(jar)) {
            for (String name : List.of("META-INF/MANIFEST.MF", "io/", "io/heapguard/X.class", "module-info.class",
                    "META-INF/versions/21/io/heapguard/X.class", "io/heapguard/notes.txt")) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(name.getBytes());
                zip.closeEntry();
            }
        }
        Map<String, byte[]> classes = BootInjector.readClasses(jar.toByteArray());
        assertEquals(List.of("io/heapguard/X"), List.copyOf(classes.keySet()));
        assertEquals("io/heapguard/X.class", new String(classes.get("io/heapguard/X")));
    }

    @Test
    void theAgentRuntimeGoesWithCoreAndTheLauncherSideStays() {
        for (String entry : List.of("io/heapguard/agent/Startup.class", "io/heapguard/agent/Log.class",
                "io/heapguard/agent/hooks/GrowthTransformer.class", "io/heapguard/agent/Startup$WarmUp.class",
                "io/heapguard/agent/management/Management$Init.class",
                "io/heapguard/shaded/asm/ClassReader.class")) {
            assertTrue(BootImageWriter.definedWithCore(entry), entry);
        }
        for (String entry : List.of("io/heapguard/agent/AgentMain.class", "io/heapguard/agent/AgentMain$1.class",
                "io/heapguard/agent/BootInjector.class", "io/heapguard/agent/BootInjector$PrivateLoader.class",
                "io/heapguard/agent/BootImage.class",
                "io/heapguard/agent/BootImageWriter.class",
                "io/heapguard/agent/JdkInternals.class",
                "io/heapguard/agent/CommandLine$CliLoader.class", "io/heapguard/agent/cli/Cli.class",
                "io/heapguard/agent/heapguard-core.jar", "io/heapguard/ledger/Ledger.class",
                "META-INF/MANIFEST.MF", "module-info.class", "io/heapguard/agent/")) {
            assertFalse(BootImageWriter.definedWithCore(entry), entry);
        }
    }

    @Test
    void theBootImageHoldsCoreThenTheAgentEachInDefinitionOrder(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream core = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(core)) {
            for (Class<?> c : List.of(Leaf.class, Middle.class, Base.class)) { // worst order
                zip.putNextEntry(new ZipEntry(c.getName().replace('.', '/') + ".class"));
                zip.write(classFile(c));
                zip.closeEntry();
            }
        }
        Path jar = dir.resolve("agent.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry(BootInjector.CORE_JAR_ENTRY));
            zip.write(core.toByteArray());
            zip.closeEntry();
            for (String entry : List.of("io/heapguard/agent/Startup.class", "io/heapguard/agent/AgentMain.class")) {
                zip.putNextEntry(new ZipEntry(entry));
                zip.write(classFile(entry.endsWith("Startup.class") ? Startup.class : AgentMain.class));
                zip.closeEntry();
            }
        }
        BootImageWriter.main(new String[] {jar.toString()});
        BootImageWriter.main(new String[] {jar.toString()}); // again: replaced, not added twice

        BootImage image;
        try (ZipFile written = new ZipFile(jar.toFile())) {
            assertEquals(ZipEntry.STORED, written.getEntry(BootImage.ENTRY).getMethod());
            assertEquals(4, written.size());
            try (InputStream in = written.getInputStream(written.getEntry(BootImage.ENTRY))) {
                image = BootImage.read(in.readAllBytes());
            }
        }
        assertEquals(List.of(Base.class, Middle.class, Leaf.class).stream()
                .map(c -> c.getName().replace('.', '/')).toList(), List.copyOf(image.core.keySet()));
        assertArrayEquals(classFile(Leaf.class), image.core.get(Leaf.class.getName().replace('.', '/')));
        assertEquals(List.of("io/heapguard/agent/Startup"), List.copyOf(image.agent.keySet()));
        assertArrayEquals(classFile(Startup.class), image.agent.get("io/heapguard/agent/Startup"));
    }

    @Test
    void aBootImageCutShortIsRefusedNotHalfRead() {
        byte[] image = {0x48, 0x47, 0x42, 0x31, 0, 0, 0, 1, 0, 3, 'a', 'b'};
        IOException e = assertThrows(IOException.class, () -> BootImage.read(image));
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        assertThrows(IOException.class, () -> BootImage.read(new byte[] {1, 2, 3, 4}));
    }

    @Test
    void notCalledByTheLauncherInATest() {
        assertFalse(AgentMain.calledByLauncher());
        assertTrue(AgentMain.definedInBootLoader("java.lang.String"));
        assertFalse(AgentMain.definedInBootLoader("io.heapguard.no.Such"));
    }
}

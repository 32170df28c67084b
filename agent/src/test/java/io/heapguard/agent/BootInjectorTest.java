package io.heapguard.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
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

        Map<String, byte[]> coreRead = new LinkedHashMap<>();
        Map<String, byte[]> agentRead = new LinkedHashMap<>();
        try (ZipFile written = new ZipFile(jar.toFile())) {
            assertEquals(ZipEntry.STORED, written.getEntry(BootImage.ENTRY).getMethod());
            assertEquals(4, written.size());
            try (InputStream in = written.getInputStream(written.getEntry(BootImage.ENTRY))) {
                BootImage image = new BootImage(in);
                assertEquals(3, image.section(collectInto(coreRead)));
                assertEquals(1, image.section(collectInto(agentRead)));
                assertEquals(-1, in.read(), "nothing after the agent section");
            }
        }
        assertEquals(List.of(Base.class, Middle.class, Leaf.class).stream()
                .map(Class::getName).toList(), List.copyOf(coreRead.keySet()));
        assertArrayEquals(classFile(Leaf.class), coreRead.get(Leaf.class.getName()));
        assertEquals(List.of("io.heapguard.agent.Startup"), List.copyOf(agentRead.keySet()));
        assertArrayEquals(classFile(Startup.class), agentRead.get("io.heapguard.agent.Startup"));
    }

    /** Copies each class out: the buffer it comes in is reused for the next. */
    private static BiFunction<String, ByteBuffer, Object> collectInto(Map<String, byte[]> classes) {
        return (name, classfile) -> {
            byte[] copy = new byte[classfile.remaining()];
            classfile.get(copy);
            return classes.put(name, copy);
        };
    }

    @Test
    void aBootImageCutShortOrNotAnImageIsRefused() throws IOException {
        byte[] image = {0x48, 0x47, 0x42, 0x31, 0, 0, 0, 1, 0, 3, 'a', 'b'};
        BootImage cutShort = new BootImage(new ByteArrayInputStream(image));
        IOException e = assertThrows(IOException.class, () -> cutShort.section(null));
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        assertThrows(IOException.class, () -> new BootImage(new ByteArrayInputStream(new byte[] {1, 2, 3, 4})));
    }

    @Test
    void aClassLargerThanTheBufferIsReadWhole() throws IOException {
        byte[] big = new byte[200_000]; // beyond the first buffer and many reads long
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(image);
        out.writeInt(BootImage.MAGIC);
        out.writeInt(2);
        for (String name : List.of("a/Big", "a/Small")) {
            out.writeShort(name.length());
            out.writeBytes(name);
            out.writeInt(name.equals("a/Big") ? big.length : 3);
            out.write(name.equals("a/Big") ? big : new byte[] {1, 2, 3});
        }
        out.writeInt(0);
        Map<String, byte[]> classes = new LinkedHashMap<>();
        BootImage read = new BootImage(new ByteArrayInputStream(image.toByteArray()));
        assertEquals(2, read.section(collectInto(classes)));
        assertEquals(0, read.section(collectInto(classes)));
        assertArrayEquals(big, classes.get("a.Big"));
        assertArrayEquals(new byte[] {1, 2, 3}, classes.get("a.Small"));
    }

    @Test
    void notCalledByTheLauncherInATest() {
        assertFalse(AgentMain.calledByLauncher());
        assertTrue(AgentMain.definedInBootLoader("java.lang.String"));
        assertFalse(AgentMain.definedInBootLoader("io.heapguard.no.Such"));
    }
}

package io.heapguard.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

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
        List<String> order = BootInjector.supertypesFirst(classes);
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
    void notCalledByTheLauncherInATest() {
        assertFalse(AgentMain.calledByLauncher());
        assertTrue(AgentMain.definedInBootLoader("java.lang.String"));
        assertFalse(AgentMain.definedInBootLoader("io.heapguard.no.Such"));
    }
}

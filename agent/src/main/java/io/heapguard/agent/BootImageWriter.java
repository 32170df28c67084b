package io.heapguard.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.objectweb.asm.ClassReader;

/**
 * Writes the {@link BootImage} into the agent jar: the build's step after shading (see agent/pom.xml).
 * Never runs in an agent; kept apart from the reading so that start-up loads none of it, ASM included.
 */
public final class BootImageWriter {

    private static final String AGENT_PACKAGE = "io/heapguard/agent/";
    /** Top-level classes of {@link #AGENT_PACKAGE} that stay in the loader the JVM gives them. */
    private static final Set<String> LAUNCHER_SIDE = Set.of("AgentMain", "BootInjector", "BootImage",
            "BootImageWriter", "JdkInternals", "CommandLine");

    private BootImageWriter() {
    }

    /**
     * Whether a class of the agent jar is defined in the bootstrap loader with core: everything the agent
     * runs once started (hooks, transformers, management, the shaded ASM). What runs before the injection
     * ({@code AgentMain}, {@code BootInjector}, {@code BootImage}), {@code JdkInternals} (a loader of its own)
     * and the command line (never part of a running agent) stay where the JVM puts them.
     *
     * @param entry a jar entry name, e.g. {@code io/heapguard/agent/Startup.class}
     */
    static boolean definedWithCore(String entry) {
        if (!entry.endsWith(".class") || entry.endsWith("module-info.class")) {
            return false;
        }
        if (entry.startsWith("io/heapguard/shaded/")) {
            return true;
        }
        if (!entry.startsWith(AGENT_PACKAGE)) {
            return false;
        }
        String name = entry.substring(AGENT_PACKAGE.length());
        int nested = name.indexOf('$');
        String topLevel = nested < 0 ? name.substring(0, name.length() - ".class".length()) : name.substring(0, nested);
        return !name.startsWith("cli/") && !LAUNCHER_SIDE.contains(topLevel);
    }

    /** The image of an agent jar as shaded: its nested core jar and its runtime classes, ordered. */
    static byte[] of(ZipFile agentJar) throws IOException {
        ZipEntry coreJar = agentJar.getEntry(BootInjector.CORE_JAR_ENTRY);
        if (coreJar == null) {
            throw new IOException(agentJar.getName() + " holds no " + BootInjector.CORE_JAR_ENTRY);
        }
        Map<String, byte[]> core;
        try (InputStream in = agentJar.getInputStream(coreJar)) {
            core = BootInjector.readClasses(in.readAllBytes());
        }
        Map<String, byte[]> agent = new LinkedHashMap<>();
        for (Enumeration<? extends ZipEntry> entries = agentJar.entries(); entries.hasMoreElements(); ) {
            ZipEntry e = entries.nextElement();
            if (definedWithCore(e.getName())) {
                try (InputStream in = agentJar.getInputStream(e)) {
                    agent.put(e.getName().substring(0, e.getName().length() - ".class".length()), in.readAllBytes());
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(BootImage.MAGIC);
        writeSection(out, core);
        writeSection(out, agent);
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeSection(DataOutputStream out, Map<String, byte[]> classes) throws IOException {
        List<String> order = supertypesFirst(classes);
        out.writeInt(order.size());
        for (String name : order) {
            byte[] classfile = classes.get(name);
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            out.writeShort(utf8.length);
            out.write(utf8);
            out.writeInt(classfile.length);
            out.write(classfile);
        }
    }

    /**
     * A definition order in which every class comes after its superclass and interfaces among
     * {@code classes}: defining a class resolves its supertypes in the same (bootstrap) loader. Types
     * outside {@code classes} (the JDK's; core's, for the agent section) count as defined.
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
            return;
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

    /**
     * The build's step after shading: adds (or replaces) {@value BootImage#ENTRY} in the agent jar, every other
     * entry copied as it was.
     *
     * @param args the agent jar's path
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: BootImageWriter <agent jar>");
        }
        Path jar = Path.of(args[0]);
        Path written = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (ZipFile in = new ZipFile(jar.toFile());
             OutputStream file = Files.newOutputStream(written);
             ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry e = entries.nextElement();
                if (e.getName().equals(BootImage.ENTRY)) {
                    continue;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                out.putNextEntry(copy);
                try (InputStream body = in.getInputStream(e)) {
                    body.transferTo(out);
                }
                out.closeEntry();
            }
            // Stored, not deflated: one read of it at start-up, nothing to inflate.
            byte[] image = of(in);
            CRC32 crc = new CRC32();
            crc.update(image);
            ZipEntry entry = new ZipEntry(BootImage.ENTRY);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(image.length);
            entry.setCompressedSize(image.length);
            entry.setCrc(crc.getValue());
            out.putNextEntry(entry);
            out.write(image);
            out.closeEntry();
        }
        Files.move(written, jar, StandardCopyOption.REPLACE_EXISTING);
    }
}

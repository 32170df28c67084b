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
import java.util.Arrays;
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

/**
 * The classes {@link BootInjector} defines in the bootstrap class loader, in one entry of the agent jar
 * ({@value #ENTRY}), already in definition order: core, then the agent's runtime (see
 * {@link #definedWithCore}), each after its supertypes. Written by the build ({@link #main}, after the
 * jar is shaded), so that start-up reads one entry instead of two hundred and orders nothing (reading
 * them one by one, in interpreted zip code, cost 10-15 ms more of start-up on this project's machine).
 *
 * <p>Format, big-endian: {@code u4} magic, then two sections (core, agent), each a {@code u4} count of
 * ({@code u2} length and UTF-8 bytes of the internal name, {@code u4} length and bytes of the class file).
 */
public final class BootImage {

    static final String ENTRY = "io/heapguard/agent/boot-classes.bin";
    private static final int MAGIC = 0x48474231; // "HGB1"

    private static final String AGENT_PACKAGE = "io/heapguard/agent/";
    /** Top-level classes of {@link #AGENT_PACKAGE} that stay in the loader the JVM gives them. */
    private static final Set<String> LAUNCHER_SIDE = Set.of("AgentMain", "BootInjector", "BootImage",
            "ClassHeader", "JdkInternals", "CommandLine");

    /** Internal name to class file, in definition order. */
    final Map<String, byte[]> core;
    final Map<String, byte[]> agent;

    private BootImage(Map<String, byte[]> core, Map<String, byte[]> agent) {
        this.core = core;
        this.agent = agent;
    }

    /**
     * Whether a class of the agent jar is defined in the bootstrap loader with core: everything the agent
     * runs once started (hooks, transformers, management, the shaded ASM). What runs before the injection
     * ({@code AgentMain}, {@code BootInjector}, this class), {@code JdkInternals} (a loader of its own)
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

    static BootImage read(byte[] image) throws IOException {
        Reader in = new Reader(image);
        if (in.u4() != MAGIC) {
            throw new IOException(ENTRY + " is not a boot image of this agent");
        }
        return new BootImage(in.section(), in.section());
    }

    /** By hand rather than with a {@code DataInputStream}: this runs interpreted, before anything is warm. */
    private static final class Reader {
        private final byte[] image;
        private int p;

        Reader(byte[] image) {
            this.image = image;
        }

        Map<String, byte[]> section() throws IOException {
            int count = u4();
            Map<String, byte[]> classes = new LinkedHashMap<>(count * 2);
            for (int i = 0; i < count; i++) {
                int nameLength = u2();
                String name = new String(image, take(nameLength), nameLength, StandardCharsets.UTF_8);
                int length = u4();
                classes.put(name, Arrays.copyOfRange(image, take(length), p));
            }
            return classes;
        }

        int u2() throws IOException {
            int at = take(2);
            return ((image[at] & 0xff) << 8) | (image[at + 1] & 0xff);
        }

        int u4() throws IOException {
            return (u2() << 16) | u2();
        }

        /** Moves past {@code n} bytes; returns where they start. */
        private int take(int n) throws IOException {
            if (n < 0 || image.length - p < n) {
                throw new IOException(ENTRY + " is cut short at byte " + p);
            }
            int at = p;
            p += n;
            return at;
        }
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
        out.writeInt(MAGIC);
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
            supertypes.put(e.getKey(), ClassHeader.supertypes(e.getValue()));
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
     * The build's step after shading: adds (or replaces) {@value #ENTRY} in the agent jar, every other
     * entry copied as it was.
     *
     * @param args the agent jar's path
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: BootImage <agent jar>");
        }
        Path jar = Path.of(args[0]);
        Path written = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (ZipFile in = new ZipFile(jar.toFile());
             OutputStream file = Files.newOutputStream(written);
             ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry e = entries.nextElement();
                if (e.getName().equals(ENTRY)) {
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
            ZipEntry entry = new ZipEntry(ENTRY);
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

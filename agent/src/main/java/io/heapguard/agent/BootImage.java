package io.heapguard.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The classes {@link BootInjector} defines in the bootstrap class loader, in one entry of the agent jar
 * ({@value #ENTRY}), already in definition order: core, then the agent's runtime (see
 * {@link BootImageWriter#definedWithCore}), each after its supertypes. Written by the build
 * ({@link BootImageWriter}, after the jar is shaded), so that start-up reads one entry instead of two
 * hundred and orders nothing (reading them one by one, in interpreted zip code, cost 10-15 ms more of
 * start-up on this project's machine). This class is only the reading: start-up loads and verifies it.
 *
 * <p>Format, big-endian: {@code u4} magic, then two sections (core, agent), each a {@code u4} count of
 * ({@code u2} length and UTF-8 bytes of the internal name, {@code u4} length and bytes of the class file).
 */
final class BootImage {

    static final String ENTRY = "io/heapguard/agent/boot-classes.bin";
    static final int MAGIC = 0x48474231; // "HGB1"

    /** Internal name to class file, in definition order. */
    final Map<String, byte[]> core;
    final Map<String, byte[]> agent;

    private BootImage(Map<String, byte[]> core, Map<String, byte[]> agent) {
        this.core = core;
        this.agent = agent;
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
}

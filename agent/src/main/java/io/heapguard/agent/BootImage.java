package io.heapguard.agent;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/**
 * The classes {@link BootInjector} defines in the bootstrap class loader, in one entry of the agent jar
 * ({@value #ENTRY}), already in definition order: core, then the agent's runtime (see
 * {@link BootImageWriter#definedWithCore}), each after its supertypes. Written by the build
 * ({@link BootImageWriter}, after the jar is shaded), so that start-up reads one entry instead of two
 * hundred and orders nothing (reading them one by one, in interpreted zip code, cost 10-15 ms more of
 * start-up on this project's machine). This class is only the reading: start-up loads and verifies it.
 *
 * <p>Read as a stream, each class into one reused buffer and defined from there, in reads of at most
 * {@value #READ} bytes: the image is 0.7 MB, and memory a process touches for the first time is what
 * start-up pays for here (a page fault each 4 KiB, about 12 us on this project's VM). Reading it whole,
 * then copying each class out, touched it three times (the array, the JDK's native read buffer, the
 * copies) and cost 9-10 ms; streamed, the same classes cost a few hundred microseconds to read.
 *
 * <p>Format, big-endian: {@code u4} magic, then two sections (core, agent), each a {@code u4} count of
 * ({@code u2} length and UTF-8 bytes of the internal name, {@code u4} length and bytes of the class file).
 */
final class BootImage {

    static final String ENTRY = "io/heapguard/agent/boot-classes.bin";
    static final int MAGIC = 0x48474231; // "HGB1"
    /** The JDK reads into a buffer on the native stack up to 8 KiB, and mallocs a fresh one above. */
    private static final int READ = 8192;

    private final InputStream in;
    private byte[] buffer = new byte[64 * 1024];

    /** Checks the magic; the sections follow, read with {@link #section}. */
    BootImage(InputStream in) throws IOException {
        this.in = new BufferedInputStream(in, READ); // the headers are a few bytes each: one read() apiece otherwise
        if (u4() != MAGIC) {
            throw new IOException(ENTRY + " is not a boot image of this agent");
        }
    }

    /**
     * Hands each class of the next section, in order, to {@code define}: its binary name
     * ({@code io.heapguard.ledger.Ledger}) and its class file, in a buffer valid only during the call.
     * With {@code define} null, the section is skipped.
     *
     * @return the number of classes in the section
     */
    int section(BiFunction<String, ByteBuffer, ?> define) throws IOException {
        int count = u4();
        for (int i = 0; i < count; i++) {
            int nameLength = u2();
            fill(nameLength);
            String name = new String(buffer, 0, nameLength, StandardCharsets.UTF_8).replace('/', '.');
            int length = u4();
            fill(length);
            if (define != null) {
                define.apply(name, ByteBuffer.wrap(buffer, 0, length));
            }
        }
        return count;
    }

    private int u2() throws IOException {
        fill(2);
        return ((buffer[0] & 0xff) << 8) | (buffer[1] & 0xff);
    }

    private int u4() throws IOException {
        fill(4);
        return ((buffer[0] & 0xff) << 24) | ((buffer[1] & 0xff) << 16) | ((buffer[2] & 0xff) << 8)
                | (buffer[3] & 0xff);
    }

    /** Reads the next {@code n} bytes to the start of the buffer. */
    private void fill(int n) throws IOException {
        if (n < 0) {
            throw new IOException(ENTRY + " is corrupt: a length of " + n);
        }
        if (n > buffer.length) {
            buffer = new byte[Math.max(n, 2 * buffer.length)];
        }
        for (int at = 0; at < n; ) {
            int read = in.read(buffer, at, Math.min(n - at, READ));
            if (read < 0) {
                throw new IOException(ENTRY + " is cut short");
            }
            at += read;
        }
    }
}

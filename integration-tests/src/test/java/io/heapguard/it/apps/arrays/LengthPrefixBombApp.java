package io.heapguard.it.apps.arrays;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

import static io.heapguard.it.apps.Report.result;

/**
 * The classic allocation bomb, with no configuration at all: a length prefix of 2 GiB in a 256 MiB heap.
 * Bare, the JVM throws {@code OutOfMemoryError}; with the agent's defaults, the heap reserve refuses the
 * array before it exists. Either way the program carries on and says which it was.
 */
public final class LengthPrefixBombApp {
    private LengthPrefixBombApp() {
    }

    public static void main(String[] args) throws IOException {
        byte[] wire = {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, 42};
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire));
        int len = in.readInt();
        try {
            byte[] payload = new byte[len];
            in.readFully(payload);
            result("outcome", "read");
        } catch (OutOfMemoryError e) {
            result("outcome", "OutOfMemoryError");
        } catch (RuntimeException e) {
            result("outcome", e.getClass().getName());
            if (e instanceof io.heapguard.QuotaExceededException) {
                io.heapguard.it.apps.Report.refusal("bomb", (io.heapguard.QuotaExceededException) e);
            }
        }
        result("next", in.read()); // the stream, and the JVM, carry on
        result("done", true);
    }
}

package io.heapguard.it.apps.reliability.storm;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** The storm's growth points, in a package of their own so that rules can name them by {@code callers}. */
public final class StormCalls {
    private StormCalls() {
    }

    /** A buffer written past the {@code cap} rule's max-buffer in one write. */
    public static ByteArrayOutputStream overCap(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data, 0, data.length);
        return out;
    }

    /** A buffer below max-buffer but above track.min: granted and charged. */
    public static int write(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data, 0, data.length);
        return out.size();
    }

    public static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocate(bytes);
    }
}

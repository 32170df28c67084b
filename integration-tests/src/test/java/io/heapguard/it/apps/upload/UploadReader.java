package io.heapguard.it.apps.upload;

import java.io.ByteArrayOutputStream;

/** Reads "an upload" into a BAOS: a class matched by the glob {@code io.heapguard.it.apps.upload.*}. */
public final class UploadReader {
    private UploadReader() {
    }

    public static ByteArrayOutputStream read(int bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        for (int n = 0; n < bytes; n += chunk.length) {
            out.write(chunk, 0, Math.min(chunk.length, bytes - n));
        }
        return out;
    }
}

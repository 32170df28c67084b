package io.heapguard.it.apps.other;

import java.io.ByteArrayOutputStream;

/** The same code as {@code upload.UploadReader}, in a package the glob {@code io.heapguard.it.apps.upload.*} does not match. */
public final class OtherReader {
    private OtherReader() {
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

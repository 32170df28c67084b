package io.heapguard.it.apps.scopes;

import java.io.ByteArrayOutputStream;

import static io.heapguard.it.apps.Report.MiB;

/**
 * A request handler that knows nothing of heapguard: its {@code handle} methods are the scope entry of
 * {@code scope.upload.entry=io.heapguard.it.apps.scopes.UploadHandler#handle} (limit 8m in the test).
 */
public final class UploadHandler {

    /** Buffers an "upload" of {@code mib} MiB, 1 MiB at a time, as a handler reading a body would. */
    public int handle(int mib) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] chunk = new byte[MiB];
        for (int i = 0; i < mib; i++) {
            body.write(chunk, 0, chunk.length);
        }
        return body.size();
    }

    /** An overload, static: the whole upload in one write. */
    public static int handle(String mib) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int n = Integer.parseInt(mib) * MiB;
        body.write(new byte[n], 0, n);
        return body.size();
    }

    /** Recursion through the entry: still one scope, the outermost call's. */
    public long handle(int mib, int depth) {
        if (depth > 0) {
            return handle(mib, depth - 1);
        }
        return handle(mib);
    }
}

package io.heapguard.it.apps;

import java.io.ByteArrayOutputStream;

/**
 * A {@code ByteArrayOutputStream} subclass, as applications write them; exposes the protected {@code buf}'s
 * length. It overrides no write method, so the call site of a growth is whoever calls {@code write}.
 */
public class CapacityBaos extends ByteArrayOutputStream {
    public int capacity() {
        return buf.length;
    }
}

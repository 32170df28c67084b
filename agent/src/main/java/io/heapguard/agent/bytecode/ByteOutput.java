package io.heapguard.agent.bytecode;

import java.util.Arrays;

/** A growable big-endian byte buffer for class-file parts, with back-patching of what was written. */
public final class ByteOutput {
    private byte[] bytes;
    private int length;

    public ByteOutput(int capacity) {
        bytes = new byte[Math.max(capacity, 16)];
    }

    public int position() {
        return length;
    }

    public ByteOutput u1(int v) {
        ensure(1);
        bytes[length++] = (byte) v;
        return this;
    }

    public ByteOutput u2(int v) {
        ensure(2);
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) v;
        return this;
    }

    public ByteOutput u4(int v) {
        ensure(4);
        bytes[length++] = (byte) (v >>> 24);
        bytes[length++] = (byte) (v >>> 16);
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) v;
        return this;
    }

    public ByteOutput bytes(byte[] b, int offset, int count) {
        ensure(count);
        System.arraycopy(b, offset, bytes, length, count);
        length += count;
        return this;
    }

    public ByteOutput bytes(ByteOutput other) {
        return bytes(other.bytes, 0, other.length);
    }

    /**
     * Verification types as {@link StackMapFrames} holds them, each a tag and, for {@code Object} and
     * {@code Uninitialized} (7, 8), a {@code u2}; preceded by their count if {@code counted}. One call for
     * all: this runs interpreted, where a call per byte was most of the cost of writing frames.
     */
    void types(int[] types, boolean counted) {
        ensure(2 + 3 * types.length);
        byte[] b = bytes;
        int n = length;
        if (counted) {
            b[n++] = (byte) (types.length >>> 8);
            b[n++] = (byte) types.length;
        }
        for (int t : types) {
            int tag = t >>> 16;
            b[n++] = (byte) tag;
            if (tag == 7 || tag == 8) {
                b[n++] = (byte) (t >>> 8);
                b[n++] = (byte) t;
            }
        }
        length = n;
    }

    public void u2At(int at, int v) {
        bytes[at] = (byte) (v >>> 8);
        bytes[at + 1] = (byte) v;
    }

    public void u4At(int at, int v) {
        bytes[at] = (byte) (v >>> 24);
        bytes[at + 1] = (byte) (v >>> 16);
        bytes[at + 2] = (byte) (v >>> 8);
        bytes[at + 3] = (byte) v;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + more, 2 * bytes.length));
        }
    }

    /** Big-endian reads from a class file. */
    public static int u1(byte[] b, int at) {
        return b[at] & 0xff;
    }

    public static int u2(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static int s2(byte[] b, int at) {
        return (short) u2(b, at);
    }

    public static int s4(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}

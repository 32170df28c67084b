package io.heapguard.agent.bytecode;

/** The class file's UTF-8 (JVMS 4.4.7): NUL as two bytes, characters beyond the BMP as two surrogates. */
final class ModifiedUtf8 {
    private ModifiedUtf8() {
    }

    static String decode(byte[] b, int offset, int length) {
        char[] chars = new char[length];
        int n = 0;
        for (int at = offset, end = offset + length; at < end; ) {
            int c = b[at++] & 0xff;
            if (c < 0x80) {
                chars[n++] = (char) c;
            } else if (c < 0xe0) {
                chars[n++] = (char) (((c & 0x1f) << 6) | (b[at++] & 0x3f));
            } else {
                chars[n++] = (char) (((c & 0x0f) << 12) | ((b[at++] & 0x3f) << 6) | (b[at++] & 0x3f));
            }
        }
        return new String(chars, 0, n);
    }

    static byte[] encode(String s) {
        byte[] ascii = new byte[s.length()];
        for (int i = 0; i < ascii.length; i++) {
            char c = s.charAt(i);
            if (c == 0 || c >= 0x80) {
                return encodeAll(s);
            }
            ascii[i] = (byte) c;
        }
        return ascii; // the names and descriptors the agent adds: one byte a character
    }

    private static byte[] encodeAll(String s) {
        ByteOutput out = new ByteOutput(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != 0 && c < 0x80) {
                out.u1(c);
            } else if (c < 0x800) {
                out.u1(0xc0 | (c >> 6)).u1(0x80 | (c & 0x3f));
            } else {
                out.u1(0xe0 | (c >> 12)).u1(0x80 | ((c >> 6) & 0x3f)).u1(0x80 | (c & 0x3f));
            }
        }
        return out.toByteArray();
    }
}

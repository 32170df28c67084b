package io.heapguard.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads text in {@link java.util.Properties#load(java.io.Reader)} syntax into key/value pairs that keep
 * the line they were written on. The logic mirrors {@code Properties.load} step by step (logical lines
 * with backslash continuations, comments {@code #} and {@code !} at the start of a logical line,
 * separators {@code =}, {@code :} or blanks, escapes including {@code \\uXXXX}); the difference is that
 * every pair is returned, in order, duplicates included, each with the number of the physical line its
 * logical line starts on, and that a malformed {@code \\uXXXX} is reported with its line.
 */
final class PropertiesReader {

    /** One {@code key=value} pair. */
    static final class Entry {
        final String key;
        final String value;
        /** 1-based number of the physical line on which the pair's logical line starts. */
        final int line;

        Entry(String key, String value, int line) {
            this.key = key;
            this.value = value;
            this.line = line;
        }

        @Override
        public String toString() {
            return line + ":" + key + "=" + value;
        }
    }

    /** A malformed {@code \\uXXXX} escape. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;
        /** The key, unescaped; or as written when the key itself is malformed. */
        final String key;
        /** The value as written (escapes not applied), or {@code null} when the key is malformed. */
        final String value;

        MalformedException(int line, String key, String value, String reason) {
            super(reason, null, false, false);
            this.line = line;
            this.key = key;
            this.value = value;
        }
    }

    private final char[] in;
    private int off;
    /** The line of the next character to be consumed. */
    private int line = 1;
    private final StringBuilder lineBuf = new StringBuilder();
    private int lineStart;

    private PropertiesReader(String text) {
        this.in = text.toCharArray();
    }

    /** Every pair of the text, in order, duplicates included. */
    static List<Entry> parse(String text) throws MalformedException {
        PropertiesReader r = new PropertiesReader(text);
        List<Entry> out = new ArrayList<>();
        StringBuilder conv = new StringBuilder();
        int limit;
        while ((limit = r.readLine()) >= 0) {
            StringBuilder buf = r.lineBuf;
            int keyLen = 0;
            int valueStart = limit;
            boolean hasSep = false;
            boolean precedingBackslash = false;
            while (keyLen < limit) {
                char c = buf.charAt(keyLen);
                if ((c == '=' || c == ':') && !precedingBackslash) {
                    valueStart = keyLen + 1;
                    hasSep = true;
                    break;
                } else if ((c == ' ' || c == '\t' || c == '\f') && !precedingBackslash) {
                    valueStart = keyLen + 1;
                    break;
                }
                if (c == '\\') {
                    precedingBackslash = !precedingBackslash;
                } else {
                    precedingBackslash = false;
                }
                keyLen++;
            }
            while (valueStart < limit) {
                char c = buf.charAt(valueStart);
                if (c != ' ' && c != '\t' && c != '\f') {
                    if (!hasSep && (c == '=' || c == ':')) {
                        hasSep = true;
                    } else {
                        break;
                    }
                }
                valueStart++;
            }
            String key = convert(buf, 0, keyLen, conv);
            if (key == null) {
                throw new MalformedException(r.lineStart, buf.substring(0, keyLen), null,
                        "malformed \\uXXXX escape in the key");
            }
            String value = convert(buf, valueStart, limit, conv);
            if (value == null) {
                throw new MalformedException(r.lineStart, key, buf.substring(valueStart, limit),
                        "malformed \\uXXXX escape in the value");
            }
            out.add(new Entry(key, value, r.lineStart));
        }
        return out;
    }

    /** Consumes one character, counting lines ({@code \n}, {@code \r\n} and a lone {@code \r} end one). */
    private char next() {
        char c = in[off++];
        if (c == '\n' || (c == '\r' && (off >= in.length || in[off] != '\n'))) {
            line++;
        }
        return c;
    }

    /**
     * Reads the next logical line into {@link #lineBuf}, as {@code Properties.LineReader.readLine} does.
     *
     * @return its length, or {@code -1} at the end of the text
     */
    private int readLine() {
        StringBuilder buf = lineBuf;
        buf.setLength(0);
        boolean skipWhiteSpace = true;
        boolean appendedLineBegin = false;
        boolean precedingBackslash = false;
        int n = in.length;
        while (true) {
            if (off >= n) {
                int len = buf.length();
                if (len == 0) {
                    return -1;
                }
                return precedingBackslash ? len - 1 : len;
            }
            int charLine = line;
            char c = next();
            if (skipWhiteSpace) {
                if (c == ' ' || c == '\t' || c == '\f') {
                    continue;
                }
                if (!appendedLineBegin && (c == '\r' || c == '\n')) {
                    continue;
                }
                skipWhiteSpace = false;
                appendedLineBegin = false;
            }
            if (buf.length() == 0) {
                if (c == '#' || c == '!') {
                    // a comment: consume the rest of the physical line
                    while (true) {
                        if (off >= n) {
                            return -1;
                        }
                        char d = next();
                        if (d == '\r' || d == '\n') {
                            break;
                        }
                    }
                    skipWhiteSpace = true;
                    continue;
                }
            }
            if (c != '\n' && c != '\r') {
                if (buf.length() == 0) {
                    lineStart = charLine;
                }
                buf.append(c);
                precedingBackslash = c == '\\' ? !precedingBackslash : false;
            } else {
                int len = buf.length();
                if (len == 0) {
                    skipWhiteSpace = true;
                    continue;
                }
                if (off >= n) {
                    return precedingBackslash ? len - 1 : len;
                }
                if (precedingBackslash) {
                    // the backslash at the end of the line joins the next one to it
                    buf.setLength(len - 1);
                    skipWhiteSpace = true;
                    appendedLineBegin = true;
                    precedingBackslash = false;
                    if (c == '\r' && in[off] == '\n') {
                        next();
                    }
                } else {
                    return len;
                }
            }
        }
    }

    /**
     * Applies the escapes of {@code buf[from, to)} as {@code Properties.loadConvert} does.
     *
     * @return the text, or {@code null} for a malformed {@code \\uXXXX}
     */
    private static String convert(StringBuilder buf, int from, int to, StringBuilder out) {
        int i = from;
        while (i < to && buf.charAt(i) != '\\') {
            i++;
        }
        if (i == to) {
            return buf.substring(from, to);
        }
        out.setLength(0);
        out.append(buf, from, i);
        while (i < to) {
            char c = buf.charAt(i++);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= to) {
                break; // cannot happen: a logical line never ends in an unpaired backslash
            }
            c = buf.charAt(i++);
            if (c == 'u') {
                if (i > to - 4) {
                    return null;
                }
                int value = 0;
                for (int k = 0; k < 4; k++) {
                    char h = buf.charAt(i++);
                    int d;
                    if (h >= '0' && h <= '9') {
                        d = h - '0';
                    } else if (h >= 'a' && h <= 'f') {
                        d = 10 + h - 'a';
                    } else if (h >= 'A' && h <= 'F') {
                        d = 10 + h - 'A';
                    } else {
                        return null;
                    }
                    value = (value << 4) + d;
                }
                out.append((char) value);
            } else {
                if (c == 't') {
                    c = '\t';
                } else if (c == 'r') {
                    c = '\r';
                } else if (c == 'n') {
                    c = '\n';
                } else if (c == 'f') {
                    c = '\f';
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}

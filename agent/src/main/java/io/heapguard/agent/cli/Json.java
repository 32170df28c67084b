package io.heapguard.agent.cli;

/**
 * Writes JSON by hand (the command line carries no library): objects and arrays in order, commas and string
 * escapes taken care of. Not a validator: callers nest {@code begin}/{@code end} correctly.
 */
final class Json {
    private final StringBuilder out = new StringBuilder();
    /** Whether the next value in the current object or array needs a comma before it. */
    private boolean comma;

    Json beginObject(String name) {
        return open(name, '{');
    }

    Json beginArray(String name) {
        return open(name, '[');
    }

    Json endObject() {
        return close('}');
    }

    Json endArray() {
        return close(']');
    }

    Json field(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    Json field(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    Json field(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    /** An array element (name null) or a field. */
    private Json open(String name, char bracket) {
        key(name);
        out.append(bracket);
        comma = false;
        return this;
    }

    private Json close(char bracket) {
        out.append(bracket);
        comma = true;
        return this;
    }

    /** The comma and, inside an object, {@code "name":}; nothing before an array element but the comma. */
    private void key(String name) {
        if (comma) {
            out.append(',');
        }
        if (name != null) {
            quote(name);
            out.append(':');
        }
        comma = true;
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

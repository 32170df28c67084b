package io.heapguard.config;

/**
 * A configuration that cannot be used. The message is one line naming the source, the key and the
 * value; nothing of the configuration it came from has been applied.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String key;
    private final String value;

    /**
     * @param source where the value came from: {@code file /etc/heapguard.properties line 3},
     *               {@code agent argument}, {@code system property heapguard.mode},
     *               {@code environment variable HEAPGUARD_MODE}, {@code JMX}
     * @param key    the configuration key, as written in a rules file
     * @param value  the offending value as given, or {@code null} when the problem is the key itself
     * @param reason what is wrong and what would be accepted
     */
    public ConfigException(String source, String key, String value, String reason) {
        super(message(source, key, value, reason), null, false, false);
        this.source = source;
        this.key = key;
        this.value = value;
    }

    private static String message(String source, String key, String value, String reason) {
        String v = value == null ? "" : " = '" + oneLine(value, MAX_VALUE_CHARS) + "'";
        return oneLine(source, Integer.MAX_VALUE) + ": " + oneLine(key, MAX_VALUE_CHARS) + v + ": "
                + oneLine(reason, Integer.MAX_VALUE);
    }

    /** Values longer than this are cut in the message (the accessor keeps them whole). */
    private static final int MAX_VALUE_CHARS = 200;

    /**
     * The text with line breaks and other control characters written as escapes ({@code \n},
     * {@code \u0000}), so that a message is always exactly one line; cut after {@code max} chars.
     */
    static String oneLine(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = null;
        int n = text.length();
        int limit = Math.min(n, max);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            String esc = null;
            if (c == '\n') {
                esc = "\\n";
            } else if (c == '\r') {
                esc = "\\r";
            } else if (c == '\t') {
                esc = "\\t";
            } else if (c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029) {
                String hex = Integer.toHexString(c);
                esc = "\\u" + "0000".substring(hex.length()) + hex;
            }
            if (esc != null && sb == null) {
                sb = new StringBuilder(n + 16);
                sb.append(text, 0, i);
            }
            if (sb != null) {
                if (esc != null) {
                    sb.append(esc);
                } else {
                    sb.append(c);
                }
            }
        }
        if (sb == null && limit == n) {
            return text;
        }
        if (sb == null) {
            sb = new StringBuilder(limit + 32);
            sb.append(text, 0, limit);
        }
        if (limit < n) {
            sb.append("...(").append(n).append(" chars)");
        }
        return sb.toString();
    }

    public String source() {
        return source;
    }

    public String key() {
        return key;
    }

    public String value() {
        return value;
    }
}

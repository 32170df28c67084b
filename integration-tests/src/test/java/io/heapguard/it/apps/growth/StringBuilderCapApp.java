package io.heapguard.it.apps.growth;

import java.io.StringWriter;

import static io.heapguard.it.apps.Report.result;

/**
 * Run with rule {@code cap}: targets StringBuilder, max-buffer 1m (bytes). Each buffer is brought to where its
 * next growth needs more than 1 MiB, then asked to grow: the growth must be refused at this class's call and
 * leave length and content as they were, and the buffer must stay usable.
 */
public final class StringBuilderCapApp {
    private static final int MiB = 1 << 20;

    public static void main(String[] args) {
        // 1. Latin-1 growth: 524,288 chars fill a 512 KiB buffer; one more char asks for 1,048,578 bytes
        StringBuilder sb = new StringBuilder(MiB / 2);
        sb.append("a".repeat(MiB / 2));
        result("latin1.capacity", sb.capacity());
        Attempt.refused("latin1", () -> sb.append('b'));
        result("latin1.length", sb.length());
        result("latin1.intact", sb.chars().allMatch(c -> c == 'a'));
        sb.setLength(1000);
        Attempt.ok("latin1.usable", () -> sb.append('b'));
        result("latin1.usable.content", sb.length() == 1001 && sb.charAt(1000) == 'b');

        // 2. growth by appends from the default capacity, until refused (capacity 589,822 chars, the next 1,179,646)
        StringBuilder grown = new StringBuilder();
        int appended = 16 * Attempt.until("append", 4 * MiB / 16, i -> grown.append("0123456789abcdef"));
        result("append.length", grown.length());
        result("append.intact", grown.length() == appended && check(grown));

        // 3. Latin-1 to UTF-16 inflation: 300,000 chars in a 600,000-byte buffer; a non-Latin-1 char needs
        //    1,200,000 bytes
        StringBuilder wide = new StringBuilder(600_000);
        wide.append("x".repeat(300_000));
        Attempt.refused("inflate", () -> wide.append('\u20ac'));
        result("inflate.length", wide.length());
        result("inflate.intact", wide.chars().allMatch(c -> c == 'x'));
        Attempt.ok("inflate.usable", () -> wide.append('y'));
        StringBuilder small = new StringBuilder("abc");
        Attempt.ok("inflate.small", () -> small.append('\u20ac'));
        result("inflate.small.content", small.toString().equals("abc\u20ac"));

        // 4. StringBuffer, through StringWriter
        StringWriter sw = new StringWriter();
        int written = 16 * Attempt.until("writer", 4 * MiB / 16, i -> sw.write("0123456789abcdef"));
        result("writer.length", sw.getBuffer().length());
        result("writer.intact", sw.getBuffer().length() == written && check(sw.getBuffer()));
        sw.getBuffer().setLength(0);
        Attempt.ok("writer.usable", () -> sw.write("hello"));
        result("writer.usable.content", sw.toString().equals("hello"));
        result("done", true);
    }

    private static boolean check(CharSequence s) {
        String pattern = "0123456789abcdef";
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != pattern.charAt(i & 15)) {
                return false;
            }
        }
        return true;
    }
}

package io.heapguard.it.apps.growth;

import java.io.CharArrayWriter;

import static io.heapguard.it.apps.Report.result;

/**
 * Run with rule {@code cap}: targets CharArrayWriter, max-buffer 1m (bytes: two a char). A writer created with
 * room for 300,000 chars (600,000 bytes) is filled; each of the three write methods (and {@code append}) then
 * needs 600,000 chars more, 1,200,000 bytes: refused, size and content unchanged, still usable.
 */
public final class CharArrayWriterCapApp {

    public static void main(String[] args) throws Exception {
        CharArrayWriter w = new CharArrayWriter(300_000);
        char[] chunk = new char[3000];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (char) ('a' + i % 26);
        }
        for (int i = 0; i < 100; i++) {
            w.write(chunk, 0, chunk.length);
        }
        result("size-before", w.size());
        Attempt.refused("write-int", () -> w.write('z'));
        Attempt.refused("write-chars", () -> w.write(chunk, 0, 10));
        Attempt.refused("write-string", () -> w.write("zzz", 0, 3));
        Attempt.refused("append", () -> w.append("zzz"));
        result("size-after", w.size());
        char[] all = w.toCharArray();
        boolean intact = all.length == 300_000;
        for (int i = 0; intact && i < all.length; i++) {
            intact = all[i] == (char) ('a' + (i % 3000) % 26);
        }
        result("intact", intact);
        w.reset();
        Attempt.ok("usable", () -> w.write("hello", 0, 5));
        result("usable.content", w.toString().equals("hello"));
        // one write asking for more than the cap at once, from empty
        CharArrayWriter big = new CharArrayWriter();
        Attempt.refused("big", () -> big.write(new char[600_000], 0, 600_000));
        result("big.size", big.size());
        result("done", true);
    }
}

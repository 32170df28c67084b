package io.heapguard.agent.bytecode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The class file's UTF-8 is {@link DataOutputStream#writeUTF}'s: both ways, ASCII and not. */
class ModifiedUtf8Test {

    @Test
    void encodesAsWriteUtfDoesAndDecodesBack() throws IOException {
        for (String s : new String[] {"", "java/lang/Object", "(II)Ljava/lang/Object;", "nul\0here", "é", "ā€",
                "\uD83D\uDE00 outside the BMP", "\uD800 lone surrogate", "\u07ff\u0800\uffff"}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            new DataOutputStream(bytes).writeUTF(s);
            byte[] expected = bytes.toByteArray();
            byte[] withoutLength = Arrays.copyOfRange(expected, 2, expected.length);
            assertArrayEquals(withoutLength, ModifiedUtf8.encode(s), s);
            assertEquals(s, ModifiedUtf8.decode(withoutLength, 0, withoutLength.length), s);
        }
    }
}

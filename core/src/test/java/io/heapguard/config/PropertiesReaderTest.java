package io.heapguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules-file reader must read exactly what {@link Properties#load(java.io.Reader)} reads. */
class PropertiesReaderTest {

    static Stream<Arguments> trickyInputs() {
        return Stream.of(
                "",
                "\n\n\n",
                "a=b",
                "a = b",
                "a:b",
                "a : b",
                "a b",
                "a\tb",
                "a\fb",
                "a    b   c  ",
                "a=",
                "a",
                "=b",
                ":b",
                " =b",
                "a==b",
                "a=:b",
                "a:=b",
                "a = = b",
                "a  =  :  b",
                "a b=c",
                "a\\ b=c",
                "a\\=b=c",
                "a\\:b:c",
                "a\\\\=b",
                "a\\\\\\=b=c",
                "   leading=space",
                "\t\fleading=tab",
                "# comment\na=b",
                "! comment\na=b",
                "   # indented comment\na=b",
                "a=b # not a comment",
                "a=b\n#c=d\n!e=f",
                "a=b\\\n   c",
                "a=b\\\n#c",
                "a=b\\\n!c",
                "a=b\\\r\n   c",
                "a=b\\\r   c",
                "a=b\\\n\\\n   c",
                "a=b\\\n\n c=d",
                "a=b\\\\\nc=d",
                "a=b\\\\\\\nc=d",
                "a=b\\",
                "a=b\\\\",
                "a\\\n=b",
                "a\\\n b=c",
                "\\\na=b",
                "\\\n#a=b",
                "\\\n\n#a=b",
                "\\",
                "\\\n",
                "\\\\",
                "a=\\u0041\\u00e9\\u20ac",
                "\\u0041=b",
                "a=\\t\\n\\r\\f\\x\\\\",
                "a=\\ b",
                "a=\\",
                "a=b\r\nc=d\re=f\ng=h",
                "a=b\r\r\rc=d",
                "a=1\na=2",
                "a=1\n a = 2 \n",
                "key\\u003dwith\\u003aescaped=v",
                "\u00e9=\u00fc",
                "a=\u0000b",
                "a=b\u2028c",
                "rule.upload.targets=ByteBuffer.allocate,\\\n    ByteArrayOutputStream",
                "# only a comment",
                "# comment without newline at end\\",
                "a=b\n# trailing comment\\\nc=d")
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("trickyInputs")
    void readsWhatPropertiesReads(String text) throws Exception {
        assertSame(text);
    }

    @ParameterizedTest
    @MethodSource("malformedInputs")
    void malformedUnicodeEscapesAreRejectedLikeProperties(String text, int line) {
        assertThrows(IllegalArgumentException.class, () -> new Properties().load(new StringReader(text)));
        PropertiesReader.MalformedException e =
                assertThrows(PropertiesReader.MalformedException.class, () -> PropertiesReader.parse(text));
        assertEquals(line, e.line);
    }

    static Stream<Arguments> malformedInputs() {
        return Stream.of(
                Arguments.of("a=\\u00", 1),
                Arguments.of("a=\\u", 1),
                Arguments.of("a=\\u00g0", 1),
                Arguments.of("x=1\n\n\\uzzzz=b", 3),
                Arguments.of("x=1\ny=2\\\n \\u12", 2));
    }

    @Test
    void keepsDuplicatesInOrderWithTheirLines() throws Exception {
        List<PropertiesReader.Entry> entries = PropertiesReader.parse("a=1\n\n# c\nb=2\\\n  3\r\nc=4\ra=5");
        assertEquals("[1:a=1, 4:b=23, 6:c=4, 7:a=5]", entries.toString());
    }

    @Test
    void lineNumbersCountEveryKindOfLineEnd() throws Exception {
        String text = "a=1\r\n\r\nb=2\r\rc=3\n\nd=4\\\n\\\n\\\n e=5\n  \\\n f=6\n#x\\\ng=7\n!y\n   h=8";
        List<PropertiesReader.Entry> entries = PropertiesReader.parse(text);
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (PropertiesReader.Entry e : entries) {
            lines.put(e.key, e.line);
        }
        assertEquals("{a=1, b=3, c=5, d=7, f=12, g=14, h=16}", lines.toString());
        assertEquals("4e=5", entries.get(3).value);
    }

    @Test
    void randomTextsReadAsPropertiesReadsThem() throws Exception {
        Random random = new Random(20240601L);
        String alphabet = "  \t\f\n\n\r\\\\\\=:#!abu0Ff1nt\u00e9";
        for (int i = 0; i < 30_000; i++) {
            int length = random.nextInt(40);
            StringBuilder sb = new StringBuilder(length);
            for (int k = 0; k < length; k++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertSame(sb.toString());
        }
    }

    /** Asserts the reader yields what Properties yields: same pairs (last wins), or both fail. */
    private static void assertSame(String text) throws IOException {
        Properties expected = new Properties();
        boolean propertiesFailed = false;
        try {
            expected.load(new StringReader(text));
        } catch (IllegalArgumentException e) {
            propertiesFailed = true;
        }
        List<PropertiesReader.Entry> entries;
        try {
            entries = PropertiesReader.parse(text);
        } catch (PropertiesReader.MalformedException e) {
            if (!propertiesFailed) {
                fail("reader failed but Properties did not on " + show(text) + ": " + e.getMessage());
            }
            return;
        }
        if (propertiesFailed) {
            fail("Properties failed but the reader did not on " + show(text) + ": " + entries);
        }
        Map<String, String> actual = new TreeMap<>();
        for (PropertiesReader.Entry e : entries) {
            actual.put(e.key, e.value);
            if (e.line < 1) {
                fail("bad line " + e.line + " in " + show(text));
            }
        }
        Map<String, String> want = new TreeMap<>();
        for (String name : expected.stringPropertyNames()) {
            want.put(name, expected.getProperty(name));
        }
        assertEquals(show(want.toString()), show(actual.toString()), () -> "on " + show(text));
    }

    private static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    @Test
    void entriesAreNotLostOrInvented() throws Exception {
        // a plain file of n lines gives n entries in order
        StringBuilder sb = new StringBuilder();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sb.append("k").append(i).append(" = v").append(i).append(i % 3 == 0 ? "\r\n" : "\n");
            keys.add("k" + i);
        }
        List<PropertiesReader.Entry> entries = PropertiesReader.parse(sb.toString());
        assertEquals(100, entries.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(keys.get(i), entries.get(i).key);
            assertEquals("v" + i, entries.get(i).value);
            assertEquals(i + 1, entries.get(i).line);
        }
    }
}

package io.heapguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SizesTest {
    private static final long HEAP = 1000L << 20; // 1000 MiB

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "0 | 0",
            "1 | 1",
            "65536 | 65536",
            "0065536 | 65536",
            "64k | 65536",
            "64K | 65536",
            "16m | 16777216",
            "16M | 16777216",
            "2g | 2147483648",
            "2G | 2147483648",
            "1t | 1099511627776",
            "1T | 1099511627776",
            "0k | 0",
            "\"  64k  \" | 65536",
            "\"\t64k\n\" | 65536",
            "9223372036854775807 | 9223372036854775807",
            "8388607t | 9223370937343148032",
            "8589934591g | 9223372035781033984",
            "25% | 262144000",
            "100% | 1048576000",
            "100.000% | 1048576000",
            "0% | 0",
            "0.0% | 0",
            "12.5% | 131072000",
            "33.333333% | 349525329",
            "0.0000001% | 1",
            "\" 10% \" | 104857600",
    })
    void validSizes(String text, long expected) {
        assertEquals(expected, Sizes.parse(text, HEAP));
        assertEquals(expected, Sizes.parseLimit(text, HEAP));
    }

    static Stream<Arguments> invalidSizes() {
        return Stream.of(
                Arguments.of(""),
                Arguments.of(" "),
                Arguments.of("\t\n"),
                Arguments.of("k"),
                Arguments.of("%"),
                Arguments.of("-1"),
                Arguments.of("-64k"),
                Arguments.of("-0"),
                Arguments.of("+1"),
                Arguments.of("+64k"),
                Arguments.of("64 k"),
                Arguments.of("6 4"),
                Arguments.of("64kb"),
                Arguments.of("64KB"),
                Arguments.of("64b"),
                Arguments.of("64B"),
                Arguments.of("64p"),
                Arguments.of("64e"),
                Arguments.of("64x"),
                Arguments.of("64kk"),
                Arguments.of("1.5g"),
                Arguments.of("1.5"),
                Arguments.of("1,000"),
                Arguments.of("1_000"),
                Arguments.of("0x10"),
                Arguments.of("0X10"),
                Arguments.of("1e3"),
                Arguments.of("NaN"),
                Arguments.of("Infinity"),
                Arguments.of("none"),
                Arguments.of("null"),
                Arguments.of("9223372036854775808"),
                Arguments.of("99999999999999999999999999"),
                Arguments.of("8388608t"),
                Arguments.of("9007199254740992k"),
                Arguments.of("8589934592g"),
                Arguments.of("\u0661\u0662"),           // Arabic-Indic digits
                Arguments.of("\u0661\u0662k"),
                Arguments.of("\uff11\uff12"),           // fullwidth digits
                Arguments.of("\uff16\uff14k"),
                Arguments.of("\u0966"),                 // Devanagari zero
                Arguments.of("1\u0662"),
                Arguments.of("64\u212a"),               // Kelvin sign, upper-cases like K
                Arguments.of("64\u0138"),
                Arguments.of("100.1%"),
                Arguments.of("101%"),
                Arguments.of("1000%"),
                Arguments.of("99999999999999999999999%"),
                Arguments.of("-5%"),
                Arguments.of("+5%"),
                Arguments.of("5 %"),
                Arguments.of(".5%"),
                Arguments.of("5.%"),
                Arguments.of("5..5%"),
                Arguments.of("5.5.5%"),
                Arguments.of("%5"),
                Arguments.of("5%%"),
                Arguments.of("NaN%"),
                Arguments.of("1e2%"),
                Arguments.of("\u0665%"),
                Arguments.of("25%k"),
                Arguments.of("k64"),
                Arguments.of("6\u00a04"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("invalidSizes")
    void invalidSizesAreRejectedWithAOneLineReason(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text, HEAP));
        assertFalse(e.getMessage().isBlank());
        assertFalse(e.getMessage().contains("\n"));
        if (!text.strip().equalsIgnoreCase("none")) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.parseLimit(text, HEAP));
        }
    }

    @Test
    void nullIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(null, HEAP));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parseLimit(null, HEAP));
    }

    @ParameterizedTest
    @CsvSource({"none", "NONE", "None", "' none '"})
    void limitsAcceptNone(String text) {
        assertEquals(-1L, Sizes.parseLimit(text, HEAP));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text, HEAP));
    }

    @Test
    void messagesSayWhatIsAccepted() {
        assertEquals("not a size (expected e.g. 65536, 64k, 16m, 2g or 25%)",
                assertThrows(IllegalArgumentException.class, () -> Sizes.parse("12q", HEAP)).getMessage());
        assertEquals("not a size (expected e.g. 65536, 64k, 16m, 2g, 25% or none)",
                assertThrows(IllegalArgumentException.class, () -> Sizes.parseLimit("12q", HEAP)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("8388608t", HEAP))
                .getMessage().startsWith("too large"));
        assertEquals("more than 100% of the heap",
                assertThrows(IllegalArgumentException.class, () -> Sizes.parse("100.5%", HEAP)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-1", HEAP))
                .getMessage().startsWith("negative"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("", HEAP))
                .getMessage().startsWith("empty"));
    }

    @Test
    void sharesResolveAgainstTheHeapRoundingDown() {
        assertEquals(3L, Sizes.parse("33%", 10L));
        assertEquals(0L, Sizes.parse("9.99%", 10L));
        assertEquals(Long.MAX_VALUE, Sizes.parse("100%", Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE / 2, Sizes.parse("50%", Long.MAX_VALUE));
        assertEquals(0L, Sizes.parse("50%", 0L));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("50%", -1L));
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1000, 1000", "65536, 64k", "16777216, 16m", "3221225472, 3g", "1099511627776, 1t",
            "1536, 1536", "-1, none"})
    void formatIsReadBack(long bytes, String text) {
        assertEquals(text, Sizes.format(bytes));
        assertEquals(bytes, Sizes.parseLimit(text, HEAP));
    }

    // ------------------------------------------------------------------ durations

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1} ms")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "500ms | 500",
            "500MS | 500",
            "1ms | 1",
            "10s | 10000",
            "10S | 10000",
            "5m | 300000",
            "5M | 300000",
            "1h | 3600000",
            "1H | 3600000",
            "060s | 60000",
            "\" 10s \" | 10000",
    })
    void validDurations(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    static Stream<Arguments> invalidDurations() {
        return Stream.of(
                Arguments.of(""), Arguments.of(" "), Arguments.of("s"), Arguments.of("ms"), Arguments.of("10"),
                Arguments.of("0s"), Arguments.of("0ms"), Arguments.of("-1s"), Arguments.of("+1s"),
                Arguments.of("1 s"), Arguments.of("1.5s"), Arguments.of("1d"), Arguments.of("1sec"),
                Arguments.of("1us"), Arguments.of("1ns"), Arguments.of("PT1S"), Arguments.of("1hs"),
                Arguments.of("\u0661s"), Arguments.of("\uff11s"), Arguments.of("1\u0662ms"),
                Arguments.of("99999999999999999999s"), Arguments.of("9223372036854775807h"),
                Arguments.of("9223372036854775807m"), Arguments.of("0x10s"), Arguments.of("NaNs"),
                Arguments.of("10sm"), Arguments.of("s10"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("invalidDurations")
    void invalidDurationsAreRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void durationsUpToLongMaxMillisAreAccepted() {
        assertEquals(Duration.ofMillis(Long.MAX_VALUE), Durations.parse("9223372036854775807ms"));
        assertEquals(Duration.ofHours(2562047788015L), Durations.parse("2562047788015h"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("2562047788016h"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("9223372036854775807s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("9223372036854776s"));
    }
}

package io.heapguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobsTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
            "*, com.example.Foo, true",
            "com.example.upload.*, com.example.upload.Uploader, true",
            "com.example.upload.*, com.example.upload.deep.Uploader, true",
            "com.example.upload.*, com.example.uploader.Uploader, false",
            "com.example.upload.*, com.example.upload, false",
            "com.example.Foo, com.example.Foo, true",
            "com.example.Foo, com.example.Foo$Inner, false",
            "com.example.Foo*, com.example.Foo$Inner, true",
            "com.example.Fo?, com.example.Foo, true",
            "com.example.Fo?, com.example.Fo, false",
            "com.example.Fo?, com.example.Fooo, false",
            "*.Foo, a.b.Foo, true",
            "*.Foo, Foo, false",
            "*Foo*, a.FooBar, true",
            "a.*.C, a.b.c.C, true",
            "a.*.C, a.C, false",
            "**, x, true",
            "com.Example.*, com.example.A, false",
    })
    void matches(String glob, String className, boolean expected) {
        assertEquals(expected, Globs.matches(glob, className));
        assertNull(Globs.problem(glob));
        assertEquals(expected, Globs.matchesAny(List.of("nothing.Matches", glob), className));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "a b", "a..b", ".a", "a.", "a/b", "a;b", "a-b", "a+b", "a\u0000b", "a[b]"})
    void invalidGlobs(String glob) {
        assertNotNull(Globs.problem(glob));
    }
}

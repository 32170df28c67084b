package io.heapguard.it.arrays;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.io.ByteStreams;
import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.arrays.LengthPrefixBombApp;
import io.heapguard.it.apps.arrays.LibrariesApp;
import io.heapguard.it.apps.arrays.LinkAllApp;
import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import org.apache.commons.io.IOUtils;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.heapguard.it.Refusals.MiB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code array} guard with real libraries from Maven Central, used as users use them: each growth
 * past a 16 MiB {@code max-buffer} on {@code array} is refused with {@code QuotaExceededException} where
 * the array would have been made, the exception reaches the application's call of the library, and the
 * JVM and the library carry on. Plus the length-prefix bomb with no configuration at all, the
 * {@code arrays.include}/{@code arrays.exclude} globs, and every class of those libraries verifying
 * after the rewrite.
 */
class ArrayGuardLibrariesTest {
    private static final String CAP = "rule.arrays.targets=array,rule.arrays.max-buffer=16m";

    /** The libraries' jars, and those they need, on the application's class path. */
    private static final List<Path> LIBRARIES = List.of(Build.jarOf(ObjectMapper.class), Build.jarOf(JsonFactory.class),
            Build.jarOf(JsonProperty.class), Build.jarOf(IOUtils.class), Build.jarOf(ByteStreams.class),
            Build.jarOf(ByteBuf.class), Build.jarOf(PlatformDependent.class));

    private static Jvm app(Jdk jdk) {
        return Jvm.on(jdk).options("-Xmx512m").classpath(LIBRARIES.toArray(new Path[0]));
    }

    @OnEachJdk
    void eachLibraryIsRefusedPastTheCapAndCarriesOn(Jdk jdk) {
        JvmResult r = app(jdk).agent(CAP).run(LibrariesApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);

        refused(r, "jackson", "com.fasterxml.jackson.core.util.ByteArrayBuilder", 25_750_001L);
        r.assertResult("jackson.after", "{\"ok\":true}");

        refused(r, "commons-io", "org.apache.commons.io.", null);
        r.assertResult("commons-io.after", MiB);

        refused(r, "guava", "com.google.common.io.", null);
        r.assertResult("guava.after", MiB);

        // Netty's buffers are growth point netty.ByteBuf's (NettyServerTest), not the array guard's: no rule here
        r.assertResult("netty.refused", false);
        r.assertResult("netty.readable", 64 * MiB);
        r.assertResult("netty.content-ok", true);
        r.assertResult("netty.after", MiB);

        // the application's own allocation: its frame is the call site
        refused(r, "length-prefix", LibrariesApp.class.getName(), 0x7FFF_FFF0L);
        assertTrue(r.result("length-prefix.callsite").startsWith(LibrariesApp.class.getName() + ".lengthPrefix("),
                r::describe);
        r.assertResult("length-prefix.after", 1);
    }

    /**
     * Refused by rule {@code arrays} on {@code array}, with the call site in {@code callSite} (a class, or a
     * package ending in a dot): the frame that allocates, the first outside the JDK and heapguard. The
     * application's frame that called the library is on the stack under it, and the exception's trace starts
     * there, not in heapguard.
     */
    private static void refused(JvmResult r, String p, String callSite, Long requested) {
        r.assertResult(p + ".refused", true);
        r.assertResult(p + ".rule", "arrays");
        r.assertResult(p + ".target", "array");
        r.assertResult(p + ".limit", 16 * MiB);
        r.assertResult(p + ".loader", "bootstrap");
        r.assertResult(p + ".app-frame", true);
        String site = r.result(p + ".callsite-class");
        assertTrue(callSite.endsWith(".") ? site.startsWith(callSite) : site.equals(callSite),
                () -> p + ": call site " + site + ", expected " + callSite + "\n" + r.describe());
        r.assertResult(p + ".top-frame", site);
        assertTrue(r.longResult(p + ".requested") > 16 * MiB, r::describe);
        if (requested != null) {
            r.assertResult(p + ".requested", requested);
        }
        String message = r.result(p + ".message");
        assertTrue(message.contains("for array at " + site) && message.contains("rule 'arrays'"),
                () -> p + ": " + message + "\n" + r.describe());
    }

    @OnEachJdk
    void withNoConfigurationTheLengthPrefixBombIsRefusedInsteadOfAnOutOfMemoryError(Jdk jdk) {
        JvmResult bare = Jvm.on(jdk).run(LengthPrefixBombApp.class);
        bare.assertExit(0).assertResult("outcome", "OutOfMemoryError").assertResult("next", 42);

        JvmResult r = Jvm.on(jdk).agent().run(LengthPrefixBombApp.class);
        r.assertExit(0).assertNoStackTrace()
                .assertResult("outcome", "io.heapguard.QuotaExceededException")
                .assertResult("bomb.rule", "heap-reserve")
                .assertResult("bomb.target", "array")
                .assertResult("bomb.requested", 0x7FFF_FFF0L)
                .assertResult("bomb.callsite-class", LengthPrefixBombApp.class.getName())
                .assertResult("next", 42)
                .assertResult("done", true);
    }

    @OnEachJdk
    void includeAndExcludeChooseTheClassesGuarded(Jdk jdk) {
        // Jackson's buffer class excluded, Guava not included: only the application's own array is refused
        JvmResult r = app(jdk)
                .agent(CAP + ",arrays.include=io.heapguard.it.*,com.fasterxml.*"
                        + ",arrays.exclude=com.fasterxml.jackson.core.util.*")
                .run(LibrariesApp.class, "jackson", "guava", "length-prefix");
        r.assertExit(0).assertResult("done", true);
        r.assertResult("jackson.refused", false);
        r.assertResult("jackson.bytes", 25_750_001);
        r.assertResult("guava.refused", false);
        r.assertResult("guava.bytes", 64 * MiB);
        r.assertResult("length-prefix.refused", true);
        r.assertResult("length-prefix.callsite-class", LibrariesApp.class.getName());
    }

    @OnEachJdk
    void everyClassOfTheLibrariesStillVerifiesAfterTheRewrite(Jdk jdk) {
        String[] jars = new String[LIBRARIES.size()];
        for (int i = 0; i < jars.length; i++) {
            jars[i] = LIBRARIES.get(i).toString();
        }
        JvmResult r = app(jdk).sysProp("io.heapguard.arrays.stats", "true").agent().run(LinkAllApp.class, jars);
        r.assertExit(0).assertResult("done", true);
        r.assertResult("verify-errors", 0);
        r.assertResult("class-format-errors", 0);
        r.assertResult("first-verify-error", "none");
        assertTrue(r.longResult("linked") > 3000, r::describe);

        Matcher m = Pattern.compile("heapguard arrays: (\\d+) classes scanned, (\\d+) rewritten, (\\d+) sites, "
                + "(\\d+) ms \\(scan \\d+ ms, rewrite \\d+ ms\\), (\\d+) failures").matcher(r.stderr());
        assertTrue(m.find(), r::describe);
        assertEquals("0", m.group(5), () -> "classes the transformer gave up on\n" + r.describe());
        assertTrue(Long.parseLong(m.group(2)) > 200, () -> "classes rewritten\n" + r.describe());
    }
}

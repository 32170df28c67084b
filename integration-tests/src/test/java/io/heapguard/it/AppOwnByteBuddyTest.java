package io.heapguard.it;

import io.heapguard.it.apps.ByteBuddyApp;
import net.bytebuddy.ByteBuddy;

import java.nio.file.Path;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application with its own, different Byte Buddy (1.14.18) defines classes at run time next to the agent's
 * shaded one, and still gets refusals.
 */
class AppOwnByteBuddyTest {

    @OnEachJdk
    void appByteBuddyWorksUnderTheAgent(Jdk jdk) {
        Path appByteBuddy = Build.jarOf(ByteBuddy.class);
        assertTrue(appByteBuddy.getFileName().toString().contains("1.14.18"), "test set-up: " + appByteBuddy);
        JvmResult r = Jvm.on(jdk)
                .options("-Xmx512m", "-Dnet.bytebuddy.experimental=true") // Byte Buddy 1.14 predates JDK 25
                .classpath(appByteBuddy)
                .agent("rule.cap.targets=ByteArrayOutputStream,rule.cap.max-buffer=16m")
                .run(ByteBuddyApp.class);
        r.assertExit(0).assertNoStackTrace().assertResult("done", true);

        assertTrue(r.result("bytebuddy.location").contains("byte-buddy-1.14.18.jar"),
                () -> "the app should see its own Byte Buddy\n" + r.describe());
        r.assertResult("bytebuddy.loader", true);
        r.assertResult("generated.name", "io.heapguard.it.apps.GeneratedByTheApp");
        r.assertResult("generated.toString", "made by the app's Byte Buddy");
        assertRefused(r, "cap", "cap", ByteBuddyApp.class, 32 * MiB, 16 * MiB, "ByteArrayOutputStream");
        r.assertResult("cap.size-after", 0);
    }
}

package io.heapguard.it.growth;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.growth.StringBuilderCapApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/**
 * {@code StringBuilder} (AbstractStringBuilder's growth and Latin-1 to UTF-16 inflation, so StringBuffer and
 * StringWriter too) under {@code max-buffer=1m}: refused at the application's call, the buffer unchanged and usable.
 */
class StringBuilderMaxBufferTest {

    @OnEachJdk
    void growthAndInflationPastMaxBufferAreRefusedAndTheBufferIsUntouched(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .agent("rule.cap.targets=StringBuilder,rule.cap.max-buffer=1m")
                .run(StringBuilderCapApp.class);
        r.assertExit(0).assertStderrEmpty().assertResult("done", true);
        Class<?> app = StringBuilderCapApp.class;

        // a full 512 KiB Latin-1 buffer: one more char needs 524,288 + 524,290 bytes
        r.assertResult("latin1.capacity", 512 * 1024);
        assertRefused(r, "latin1", "cap", app, 1_048_578L, MiB, "StringBuilder");
        r.assertResult("latin1.used", 512 * 1024);
        r.assertResult("latin1.length", 512 * 1024).assertResult("latin1.intact", true);
        r.assertResult("latin1.usable.ok", true).assertResult("latin1.usable.content", true);

        // appends from the default capacity (16, 34, ..., 589,822 chars): the growth to 1,179,646 is refused
        assertRefused(r, "append", "cap", app, 1_179_646L, MiB, "StringBuilder");
        r.assertResult("append.length", 589_808).assertResult("append.intact", true);

        // inflation to UTF-16 of a 600,000-byte buffer needs 1,200,000 bytes
        assertRefused(r, "inflate", "cap", app, 1_200_000L, MiB, "StringBuilder");
        r.assertResult("inflate.length", 300_000).assertResult("inflate.intact", true);
        r.assertResult("inflate.usable.ok", true);
        r.assertResult("inflate.small.ok", true).assertResult("inflate.small.content", true);

        // StringBuffer, through a StringWriter
        assertRefused(r, "writer", "cap", app, 1_179_646L, MiB, "StringBuilder");
        r.assertResult("writer.length", 589_808).assertResult("writer.intact", true);
        r.assertResult("writer.usable.ok", true).assertResult("writer.usable.content", true);
    }
}

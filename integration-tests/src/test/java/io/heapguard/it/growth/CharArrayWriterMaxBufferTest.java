package io.heapguard.it.growth;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.growth.CharArrayWriterCapApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/** {@code CharArrayWriter} under {@code max-buffer=1m} (two bytes a char), through each of its write methods. */
class CharArrayWriterMaxBufferTest {

    @OnEachJdk
    void eachWriteMethodsGrowthIsRefusedAndTheWriterIsUntouched(Jdk jdk) {
        JvmResult r = Jvm.on(jdk)
                .agent("rule.cap.targets=CharArrayWriter,rule.cap.max-buffer=1m")
                .run(CharArrayWriterCapApp.class);
        r.assertExit(0).assertStderrEmpty().assertResult("done", true);

        r.assertResult("size-before", 300_000);
        for (String p : new String[] {"write-int", "write-chars", "write-string", "append"}) {
            // 300,000 chars full: the next array is 600,000 chars
            assertRefused(r, p, "cap", CharArrayWriterCapApp.class, 1_200_000L, MiB, "CharArrayWriter");
            r.assertResult(p + ".used", 600_000);
        }
        r.assertResult("size-after", 300_000).assertResult("intact", true);
        r.assertResult("usable.ok", true).assertResult("usable.content", true);
        assertRefused(r, "big", "cap", CharArrayWriterCapApp.class, 1_200_000L, MiB, "CharArrayWriter");
        r.assertResult("big.size", 0);
    }
}

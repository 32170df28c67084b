package io.heapguard.it.growth;

import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.growth.CollectionsCapApp;

import static io.heapguard.it.Refusals.MiB;
import static io.heapguard.it.Refusals.assertRefused;

/**
 * {@code ArrayList}, {@code ArrayDeque} and {@code HashMap} (so LinkedHashMap, HashSet) under
 * {@code max-buffer=1m}, charged as capacity times the reference size: the growth is refused at the
 * application's call, and the collection keeps its size and content, even where the JDK stores the element
 * before it grows (ArrayDeque.addFirst/addLast, HashMap.put: undone on a refusal).
 */
class CollectionsMaxBufferTest {

    private static JvmResult run(Jdk jdk, String target) {
        JvmResult r = Jvm.on(jdk)
                .agent("rule.cap.targets=" + target + ",rule.cap.max-buffer=1m")
                .named("CollectionsCapApp-" + target)
                .run(CollectionsCapApp.class, target);
        r.assertExit(0).assertStderrEmpty().assertResult("done", true);
        return r;
    }

    @OnEachJdk
    void arrayList(Jdk jdk) {
        JvmResult r = run(jdk, "ArrayList");
        long ref = r.longResult("refbytes");
        // capacities 10, 15, 22, ... (x1.5): the last within 1 MiB, then the refused one
        long cap = 10;
        while ((cap + (cap >> 1)) * ref <= MiB) {
            cap += cap >> 1;
        }
        Class<?> app = CollectionsCapApp.class;
        assertRefused(r, "add", "cap", app, (cap + (cap >> 1)) * ref, MiB, "ArrayList");
        r.assertResult("add.used", cap * ref);
        r.assertResult("add.size", cap).assertResult("add.intact", true);
        r.assertResult("add.usable.ok", true).assertResult("add.usable.last", -1);
        assertRefused(r, "ensure", "cap", app, 1_000_000 * ref, MiB, "ArrayList");
        r.assertResult("ensure.size", 0);
        assertRefused(r, "addall", "cap", app, 300_000 * ref, MiB, "ArrayList");
        r.assertResult("addall.size", 0).assertResult("addall.usable.ok", true);
    }

    @OnEachJdk
    void arrayDeque(Jdk jdk) {
        JvmResult r = run(jdk, "ArrayDeque");
        long ref = r.longResult("refbytes");
        // capacities 17, 36, 74 (+ old + 2 under 64), then x1.5
        long cap = 17;
        while (next(cap) * ref <= MiB) {
            cap = next(cap);
        }
        for (String end : new String[] {"last", "first"}) {
            assertRefused(r, end, "cap", CollectionsCapApp.class, next(cap) * ref, MiB, "ArrayDeque");
            // the element whose add filled the array was taken out again
            r.assertResult(end + ".size", cap - 1).assertResult(end + ".intact", true);
            r.assertResult(end + ".usable.ok", true).assertResult(end + ".usable.size", cap - 1);
            r.assertResult(end + ".usable.end", cap - 1);
        }
    }

    private static long next(long cap) {
        return cap + (cap < 64 ? cap + 2 : cap >> 1);
    }

    @OnEachJdk
    void hashMap(Jdk jdk) {
        JvmResult r = run(jdk, "HashMap");
        long ref = r.longResult("refbytes");
        long table = MiB / ref; // a power of two: the largest table within 1 MiB
        long size = table * 3 / 4;
        Class<?> app = CollectionsCapApp.class;
        for (String p : new String[] {"put", "linked", "set"}) {
            assertRefused(r, p, "cap", app, 2 * table * ref, MiB, "HashMap");
            r.assertResult(p + ".used", MiB);
            // the put that passed the threshold was undone
            r.assertResult(p + ".size", size);
        }
        r.assertResult("put.absent", true).assertResult("put.intact", true);
        r.assertResult("put.replace.ok", true).assertResult("put.replace.value", -1);
        r.assertResult("put.usable.ok", true).assertResult("put.usable.size", size);
        r.assertResult("linked.last", true);
        r.assertResult("set.absent", true);
        // putAll of 300,000 entries into an empty map asks for a table of 524,288 at once
        assertRefused(r, "putall", "cap", app, 524_288 * ref, MiB, "HashMap");
        r.assertResult("putall.size", 0);
    }
}

package io.heapguard.it.apps.growth;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import io.heapguard.it.apps.reliability.MBeans;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Run under {@code -Xmx256m -XX:+UseSerialGC}: holds 50 MiB, which a full collection moves into the tenured
 * generation (170.7 MiB), fills one ByteArrayOutputStream to 64 MiB in 1 MiB writes, then writes once more,
 * which grows it to 128 MiB. That array is larger than eden, so it must go into the tenured generation beside
 * the 64 MiB one it copies from: it cannot be placed whatever else is garbage. Prints how the last write ended,
 * the size the stream kept and, with the agent (argument {@code agent}), the collections heapguard forced
 * during that write. Names no heapguard class, so it runs bare too.
 */
public final class DoublingPastTenuredApp {
    private DoublingPastTenuredApp() {
    }

    public static void main(String[] args) throws Exception {
        boolean agent = args[0].equals("agent");
        List<byte[]> held = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            held.add(new byte[MiB]);
        }
        System.gc();
        byte[] mib = new byte[MiB];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 64; i++) {
            out.write(mib, 0, MiB);
        }
        long forcedBefore = agent ? forcedCollections() : 0;
        try {
            out.write(mib, 0, MiB);
            result("outcome", "grown");
        } catch (OutOfMemoryError e) {
            result("outcome", "OutOfMemoryError");
        } catch (RuntimeException e) {
            result("outcome", e.getClass().getSimpleName());
            result("message", String.valueOf(e.getMessage()).replace('\n', ' '));
        }
        if (agent) {
            result("forced", forcedCollections() - forcedBefore);
        }
        result("size", out.size());
        result("held", held.size());
        result("done", true);
    }

    private static long forcedCollections() throws Exception {
        if (!MBeans.awaitRegistered(MBeans.AGENT, 30_000)) {
            throw new IllegalStateException(MBeans.AGENT + " not registered in 30 s");
        }
        return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(MBeans.name(MBeans.AGENT),
                "ForcedCollections");
    }
}

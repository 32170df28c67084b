package io.heapguard.it.apps.reliability;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicReference;

import static io.heapguard.it.apps.Report.KiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Ordinary work under a configuration at the edge of what is valid (a max-buffer of 0, track.min of 0, a
 * global limit of 0...): string building on the main thread and on a new thread (whose name is
 * {@code args[0]} characters long), and one 200 KiB ByteArrayOutputStream, granted or refused. Whatever the
 * configuration, the JVM must run this to its end: a refusal is an answer, a crash is not.
 */
public final class EdgeConfigApp {
    public static void main(String[] args) throws Exception {
        int nameLength = Integer.parseInt(args[0]);
        result("main", work());
        AtomicReference<String> other = new AtomicReference<>("not run");
        Thread t = new Thread(() -> other.set(work()), "n".repeat(Math.max(1, nameLength)));
        t.start();
        t.join(30_000);
        result("thread", other.get());
        result("done", true);
    }

    /** What happened to the work: {@code ok}, {@code refused:<rule>} or the error's class. */
    private static String work() {
        try {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                sb.append("item ").append(i).append(", ");
            }
            String s = sb.toString() + Thread.currentThread().getId();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[200 * KiB], 0, 200 * KiB);
            return "ok " + (s.length() > 0 && out.size() == 200 * KiB);
        } catch (Throwable e) {
            if (Failures.isRefusal(e)) {
                return "refused";
            }
            return e.getClass().getName();
        }
    }
}

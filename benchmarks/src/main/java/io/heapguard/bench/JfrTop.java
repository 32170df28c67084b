package io.heapguard.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Summarises JFR recordings made with {@code CompareRunner -jfr}: the hottest methods by own samples,
 * the heapguard methods by inclusive samples (any frame of {@code io.heapguard.*}), and collector time.
 *
 * <pre>java -cp benchmarks.jar io.heapguard.bench.JfrTop [-n 20] file.jfr...</pre>
 */
public final class JfrTop {
    private JfrTop() {
    }

    public static void main(String[] args) throws Exception {
        int top = 20;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-n")) {
                top = Integer.parseInt(args[++i]);
            } else {
                files.add(Paths.get(args[i]));
            }
        }
        for (Path f : files) {
            summarise(f, top);
        }
    }

    private static void summarise(Path file, int top) throws Exception {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> heapguard = new HashMap<>();
        int samples = 0;
        int withHeapguard = 0;
        int gcs = 0;
        Duration gcTime = Duration.ZERO;
        Duration longestGc = Duration.ZERO;
        Map<String, Integer> gcCauses = new HashMap<>();
        Map<String, Duration> gcCauseTime = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = st.getFrames();
                self.merge(name(frames.get(0)), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame fr : frames) {
                    String n = name(fr);
                    if (n.startsWith("io.heapguard.") && !n.startsWith("io.heapguard.bench.") && seen.add(n)) {
                        heapguard.merge(n, 1, Integer::sum);
                    }
                }
                if (!seen.isEmpty()) {
                    withHeapguard++;
                }
            } else if (type.equals("jdk.GarbageCollection")) {
                gcs++;
                Duration d = e.getDuration();
                String cause = e.getString("name") + " / " + e.getString("cause");
                gcCauses.merge(cause, 1, Integer::sum);
                gcCauseTime.merge(cause, d, Duration::plus);
                gcTime = gcTime.plus(d);
                if (d.compareTo(longestGc) > 0) {
                    longestGc = d;
                }
            }
        }
        System.out.println("== " + file);
        System.out.printf(Locale.ROOT, "execution samples: %d, with a heapguard frame: %d (%.1f%%)%n", samples,
                withHeapguard, samples == 0 ? 0.0 : 100.0 * withHeapguard / samples);
        System.out.printf(Locale.ROOT, "collections: %d, total %.1f ms, longest %.2f ms%n", gcs, gcTime.toNanos() / 1e6,
                longestGc.toNanos() / 1e6);
        gcCauses.entrySet().stream().sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
                .forEach(en -> System.out.printf(Locale.ROOT, "   %5d × %-50s %9.1f ms%n", en.getValue(), en.getKey(),
                        gcCauseTime.get(en.getKey()).toNanos() / 1e6));
        System.out.println("-- top methods by own samples");
        print(self, samples, top);
        if (!heapguard.isEmpty()) {
            System.out.println("-- heapguard methods, inclusive");
            print(heapguard, samples, top);
        }
        System.out.println();
    }

    private static void print(Map<String, Integer> counts, int total, int top) {
        counts.entrySet().stream()
                .sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
                .limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "%6d %5.1f%%  %s%n", en.getValue(),
                        100.0 * en.getValue() / Math.max(1, total), en.getKey()));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}

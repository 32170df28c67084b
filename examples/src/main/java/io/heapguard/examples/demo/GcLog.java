package io.heapguard.examples.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code -Xlog:gc} wrote: the collector, the stop-the-world pauses and their total time, and how many
 * were full collections asked for with {@code System.gc()} (heapguard asks for one before it refuses, so
 * that garbage is never what refuses a request). Read from the file, so a JVM that died still reports.
 */
final class GcLog {
    private static final Pattern PAUSE = Pattern.compile("\\bPause\\b.*?(\\d+(?:\\.\\d+)?)ms\\s*$");
    private static final Pattern USING = Pattern.compile("\\bUsing (\\S+)");

    final String collector;
    final int pauses;
    final double pauseMillis;
    final int systemGcs;

    private GcLog(String collector, int pauses, double pauseMillis, int systemGcs) {
        this.collector = collector;
        this.pauses = pauses;
        this.pauseMillis = pauseMillis;
        this.systemGcs = systemGcs;
    }

    static GcLog read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new GcLog("?", 0, 0, 0);
        }
        String collector = "?";
        int pauses = 0;
        double total = 0;
        int systemGcs = 0;
        for (String line : lines) {
            Matcher u = USING.matcher(line);
            if (collector.equals("?") && u.find()) {
                collector = u.group(1);
            }
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                pauses++;
                total += Double.parseDouble(m.group(1));
                if (line.contains("System.gc()")) {
                    systemGcs++;
                }
            }
        }
        return new GcLog(collector, pauses, total, systemGcs);
    }
}

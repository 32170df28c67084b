package io.heapguard.agent.cli;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusReportTest {
    private static final long MiB = 1L << 20;

    private static StatusReport report() {
        Map<String, Object> agent = values(StatusReport.AGENT, "1.2.3", "enforce", true, "UP", 100 * MiB, 128 * MiB,
                12 * MiB, 3L, 1L, "/etc/heapguard/heapguard.properties");
        Map<String, Object> global = values(StatusReport.GLOBAL, 20 * MiB, 24 * MiB, -1L, 0L);
        Map<String, Map<String, Object>> rules = new LinkedHashMap<>();
        rules.put("upload", values(StatusReport.RULE, 20 * MiB, 24 * MiB, 512 * MiB, 16 * MiB, 5L, 2L));
        rules.put("report", values(StatusReport.RULE, 0L, 0L, -1L, 8 * MiB, 0L, 1L));
        Map<String, Object> refusal = values(StatusReport.REFUSAL, "2026-12-02T16:40:00.123Z", "upload",
                "ByteBuffer.allocate", 32 * MiB, 16 * MiB, 0L, "com.example.Upload.read(Upload.java:41)", "http-7", true);
        Map<String, Object> monitored = values(StatusReport.REFUSAL, "2026-12-02T16:39:00Z", "report",
                "StringBuilder", 9 * MiB, 8 * MiB, 4 * MiB, "com.example.Report.render(Report.java:8)", "main \"x\"", false);
        return new StatusReport(4242, agent, global, rules,
                List.of("20.0 MiB at com.example.Upload.read(Upload.java:41)"), List.of(refusal, monitored));
    }

    @Test
    void textIsOneScreen() {
        assertEquals(String.join("\n",
                "heapguard 1.2.3 in JVM 4242: mode enforce, UP",
                "heap: 128.0 MiB max, 100.0 MiB free after the last collection, reserve 12.0 MiB",
                "rules file: /etc/heapguard/heapguard.properties, reload failures 1",
                "refusals: 3 since start",
                "",
                "                             used         peak        limit   max-buffer   grants  denials",
                "global                   20.0 MiB     24.0 MiB         none                              0",
                "rule upload              20.0 MiB     24.0 MiB    512.0 MiB     16.0 MiB        5        2",
                "rule report                   0 B          0 B         none      8.0 MiB        0        1",
                "",
                "top consumers:",
                "  20.0 MiB at com.example.Upload.read(Upload.java:41)",
                "",
                "last refusals:",
                "  2026-12-02T16:40:00.123Z  refused 32.0 MiB for ByteBuffer.allocate at"
                        + " com.example.Upload.read(Upload.java:41) (upload, limit 16.0 MiB, used 0 B, thread http-7)",
                "  2026-12-02T16:39:00Z  would refuse 9.0 MiB for StringBuilder at"
                        + " com.example.Report.render(Report.java:8) (report, limit 8.0 MiB, used 4.0 MiB, thread main \"x\")",
                ""), report().text());
    }

    @Test
    void jsonHasEveryFigureInBytes() {
        assertEquals("{\"pid\":4242,\"version\":\"1.2.3\",\"mode\":\"enforce\",\"healthy\":true,\"health\":\"UP\","
                + "\"maxHeapBytes\":134217728,\"heapHeadroomBytes\":104857600,\"heapReserveBytes\":12582912,"
                + "\"denials\":3,\"reloadFailures\":1,\"configFile\":\"/etc/heapguard/heapguard.properties\","
                + "\"global\":{\"usedBytes\":20971520,\"peakBytes\":25165824,\"limitBytes\":-1,\"denials\":0},"
                + "\"rules\":[{\"name\":\"upload\",\"usedBytes\":20971520,\"peakBytes\":25165824,\"limitBytes\":536870912,"
                + "\"maxBufferBytes\":16777216,\"grants\":5,\"denials\":2},{\"name\":\"report\",\"usedBytes\":0,"
                + "\"peakBytes\":0,\"limitBytes\":-1,\"maxBufferBytes\":8388608,\"grants\":0,\"denials\":1}],"
                + "\"topConsumers\":[\"20.0 MiB at com.example.Upload.read(Upload.java:41)\"],"
                + "\"recentRefusals\":[{\"time\":\"2026-12-02T16:40:00.123Z\",\"rule\":\"upload\","
                + "\"target\":\"ByteBuffer.allocate\",\"requestedBytes\":33554432,\"limitBytes\":16777216,\"usedBytes\":0,"
                + "\"callSite\":\"com.example.Upload.read(Upload.java:41)\",\"thread\":\"http-7\",\"enforced\":true},"
                + "{\"time\":\"2026-12-02T16:39:00Z\",\"rule\":\"report\",\"target\":\"StringBuilder\","
                + "\"requestedBytes\":9437184,\"limitBytes\":8388608,\"usedBytes\":4194304,"
                + "\"callSite\":\"com.example.Report.render(Report.java:8)\",\"thread\":\"main \\\"x\\\"\",\"enforced\":false}]}",
                report().json());
    }

    private static Map<String, Object> values(String[] names, Object... values) {
        assertEquals(names.length, values.length);
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], values[i]);
        }
        return m;
    }
}

package io.heapguard.it.scopes;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's first command, {@code java -jar examples/target/heapguard-demo.jar}, from the repository
 * root, with shorter runs: it prints the side-by-side table. The demo itself reports whatever happened;
 * this test is where the expectations are: under heapguard the service survives, refuses every oversized
 * upload, and serves the ordinary ones.
 */
class UploadDemoTest {

    @OnEachJdk
    void theDemoPrintsTheTableAndTheServiceSurvivesUnderHeapguard(Jdk jdk) {
        Path demoJar = Build.root().resolve("examples/target/heapguard-demo.jar");
        assertTrue(Files.isRegularFile(demoJar), "build examples first: " + demoJar);
        Build.agentJar();
        JvmResult r = Jvm.on(jdk).defaults("-Xmx256m").workingDir(Build.root()).named("heapguard-demo")
                .timeout(Duration.ofSeconds(180))
                .runJar(Paths.get("examples", "target", "heapguard-demo.jar"), "--seconds", "5", "--logs",
                        Build.workDir().resolve("heapguard-demo-logs-jdk" + jdk.feature()).toString());
        r.assertExit(0).assertNoStackTrace();
        assertTrue(r.stdout().contains("agent: " + Build.agentJar()), () -> "names the agent it found\n" + r.describe());

        Map<String, String[]> table = table(r);
        String[] header = table.get("");
        assertTrue(header != null && header[0].equals("without agent") && header[1].equals("with heapguard"),
                () -> "no table header\n" + r.describe());
        for (String row : new String[] {"ordinary uploads (1-2 MiB) sent", "served, output checked", "lost",
            "ordinary latency p50 / p99", "oversized uploads (300-600 MiB) sent", "refused: 413 too large / 503 retry later",
            "service JVM survived", "GC pauses: count / total", "garbage collector"}) {
            assertTrue(table.containsKey(row), () -> "no row '" + row + "'\n" + r.describe());
        }
        String[] sent = table.get("ordinary uploads (1-2 MiB) sent");
        assertEquals(sent[0], sent[1], () -> "both runs follow the same schedule\n" + r.describe());

        // what heapguard is for
        assertEquals("yes", table.get("service JVM survived")[1], () -> r.describe());
        assertEquals("3 / 0", table.get("refused: 413 too large / 503 retry later")[1], () -> r.describe());
        int total = Integer.parseInt(sent[1]);
        int served = Integer.parseInt(table.get("served, output checked")[1]);
        assertTrue(total > 0 && served >= total * 0.95, () -> "ordinary uploads served under heapguard: " + served
                + " of " + total + "\n" + r.describe());
    }

    /** Rows of the table by their label (trimmed): the two columns. */
    private static Map<String, String[]> table(JvmResult r) {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : r.stdout().split("\\R")) {
            String[] cells = line.trim().split("\\s{3,}");
            if (line.startsWith(" ") && cells.length == 2 && line.trim().startsWith("without agent")) {
                rows.put("", cells);
            } else if (cells.length == 3) {
                rows.put(cells[0], new String[] {cells[1], cells[2]});
            }
        }
        return rows;
    }
}

package io.heapguard.stress;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the jcstress tests of this package and the ledger package's own ({@code PlacementGateStress},
 * {@code PlacementPassStress}, {@code SlackStress}, {@code ChargeEpochStress}) in a forked JVM: {@code sanity}
 * mode inside the ordinary build (seconds), {@code default} with {@code -Pstress}. Fails if jcstress reports any
 * forbidden outcome, error, or no test at all.
 */
class JcstressTest {
    private static final String MODE = System.getProperty("jcstress.mode", "sanity");

    @Test
    void noOverCommitIsEverObserved() throws Exception {
        Path results = Files.createDirectories(Path.of("target", "jcstress-" + MODE)).toAbsolutePath();
        Path log = results.resolve("output.txt");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-exports");
        cmd.add("java.base/jdk.internal.access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.openjdk.jcstress.Main");
        cmd.add("-m");
        cmd.add(MODE);
        cmd.add("-t");
        cmd.add("io\\.heapguard\\.(stress|ledger)\\..*Stress");
        cmd.add("-r");
        cmd.add(results.toString());
        cmd.add("-sc");
        cmd.add("false");
        // jcstress drops its result blob into the working directory: keep it under target/.
        Process p = new ProcessBuilder(cmd).directory(results.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long bound = "sanity".equals(MODE) ? 5 : 60;
        boolean finished = p.waitFor(bound, TimeUnit.MINUTES);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // the test VMs jcstress forked
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(finished, "jcstress did not finish within " + bound + " minutes:\n" + tail(out));
        assertEquals(0, p.exitValue(), "jcstress failed:\n" + tail(out));
        String finalLine = null; // jcstress prints a progress line repeatedly; the last one is the verdict
        for (Matcher m = RESULTS.matcher(out); m.find(); ) {
            finalLine = m.group();
        }
        assertTrue(finalLine != null, "no results line:\n" + tail(out));
        Matcher last = RESULTS.matcher(finalLine);
        assertTrue(last.matches());
        int planned = Integer.parseInt(last.group(1));
        int passed = Integer.parseInt(last.group(2));
        assertTrue(planned > 0, "jcstress planned no test:\n" + tail(out));
        assertEquals(planned, passed, "some jcstress results failed or errored:\n" + tail(out));
        assertTrue(out.contains("Failed tests: No matches.") && out.contains("Error tests: No matches."), tail(out));
        for (String test : new String[] {"stress.AccountOverCommitStress", "stress.LedgerBackOutStress",
                "ledger.PlacementGateStress", "ledger.PlacementPassStress", "ledger.SlackStress",
                "ledger.ChargeEpochStress"}) {
            assertTrue(Files.exists(results.resolve("io.heapguard." + test + ".html")), test + " did not run");
        }
        System.out.println("jcstress " + MODE + ": " + last.group() + " (report " + results.toAbsolutePath()
                + File.separator + "index.html)");
    }

    private static final Pattern RESULTS = Pattern.compile(
            "Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs");

    private static String tail(String s) {
        return s.length() <= 6000 ? s : s.substring(s.length() - 6000);
    }

}

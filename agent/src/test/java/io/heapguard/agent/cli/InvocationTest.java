package io.heapguard.agent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InvocationTest {

    @Test
    void eachCommandIsParsed() throws Exception {
        assertEquals(new Invocation("list", -1, "", List.of(), false), Invocation.parse("list"));
        assertEquals(new Invocation("help", -1, "", List.of(), false), Invocation.parse("--help"));
        assertEquals(new Invocation("reload", 42, "", List.of(), false), Invocation.parse("reload", "42"));
        assertEquals(new Invocation("status", 42, "", List.of(), false), Invocation.parse("status", "42"));
        assertEquals(new Invocation("status", 42, "", List.of(), true), Invocation.parse("status", "42", "--json"));
        assertEquals(new Invocation("attach", 7, "", List.of(), false), Invocation.parse("attach", "7"));
        assertEquals(new Invocation("set", 7, "", List.of("mode=enforce", "rule.up.limit=64m"), false),
                Invocation.parse("set", "7", "mode=enforce", "rule.up.limit=64m"));
    }

    @Test
    void attachOptionsMayBeOneArgumentOrSeveral() throws Exception {
        String joined = "mode=monitor,rule.up.targets=ByteBuffer.allocate,StringBuilder,rule.up.limit=1g";
        assertEquals(joined, Invocation.parse("attach", "7", joined).options());
        assertEquals(joined, Invocation.parse("attach", "7", "mode=monitor",
                "rule.up.targets=ByteBuffer.allocate,StringBuilder", "rule.up.limit=1g").options());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "\"\"|no command",
            "stats 1|unknown command 'stats'",
            "status|status: which JVM? expected status <pid>; 'list' shows them",
            "status x1|status: 'x1' is not a process id",
            "reload 0|reload: '0' is not a process id",
            "reload -5|reload: '-5' is not a process id",
            "reload 5 6|reload: unexpected '6'",
            "list 5|list: unexpected '5'",
            "status 5 --json --json|status: unexpected '--json'; expected status <pid> [--json]",
            "status 5 --yaml|status: unexpected '--yaml'; expected status <pid> [--json]",
            "set 5|set: nothing to set; expected set <pid> key=value...",
            "set 5 mode|set: 'mode' is not key=value",
            "set 5 =enforce|set: '=enforce' is not key=value",
            "set 5 track.min=1m|set: track.min cannot be set live; expected mode, heap.reserve, global.limit,"
                    + " rule.<name>.limit or rule.<name>.max-buffer",
            "set 5 rule.limit=1m|set: rule.limit cannot be set live; expected mode, heap.reserve, global.limit,"
                    + " rule.<name>.limit or rule.<name>.max-buffer",
    })
    void aBadCommandLineIsAUsageErrorSaidInOneLine(String line, String message) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertEquals(message, assertThrows(Invocation.UsageException.class, () -> Invocation.parse(args)).getMessage());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(print(out), print(err), "heapguard-agent.jar").execute(args);
        assertEquals(Cli.USAGE, status);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals("heapguard: " + message + "\n" + Invocation.USAGE, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpGoesToStandardOutputWithStatusZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(Cli.OK, new Cli(print(out), print(err), "heapguard-agent.jar").execute("--help"));
        assertEquals(Invocation.USAGE, out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertTrue(Invocation.USAGE.contains("mode=monitor is the recommended first step"));
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}

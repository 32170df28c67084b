package io.heapguard.agent.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One command line, parsed: which command, for which JVM, with what. Only the shape is checked here (a
 * process id is a number, {@code set} has {@code key=value} pairs); values are checked against the JVM.
 *
 * @param command {@code help}, {@code list}, {@code attach}, {@code status}, {@code set} or {@code reload}
 * @param pid     the target JVM, or -1 for {@code help} and {@code list}
 * @param options {@code attach}: the agent options, comma-separated, as for {@code -javaagent} (may be empty)
 * @param pairs   {@code set}: the {@code key=value} pairs in the order given
 * @param json    {@code status --json}
 */
record Invocation(String command, long pid, String options, List<String> pairs, boolean json) {

    static final String USAGE = String.join("\n",
            "usage: java -jar heapguard-agent.jar <command>",
            "",
            "  list                          the local JVMs, and which have heapguard loaded (version, mode)",
            "  attach <pid> [key=value,...]  load heapguard into a running JVM, with the options of -javaagent;",
            "                                mode=monitor is the recommended first step",
            "  status <pid> [--json]         mode, health, heap, limits and use, top consumers, last refusals",
            "  set <pid> key=value...        change mode, heap.reserve, global.limit, rule.<name>.limit or",
            "                                rule.<name>.max-buffer live (all checked before any is written)",
            "  reload <pid>                  re-read the rules file",
            "",
            "exit status: 0 done, 1 the operation failed, 2 a usage error",
            "");

    /** A command line that is not one of the above; exit status 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static Invocation parse(String... args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command");
        }
        String command = args[0];
        switch (command) {
            case "-h":
            case "--help":
            case "help":
                return new Invocation("help", -1, "", List.of(), false);
            case "list":
                expectAtMost(args, 1);
                return new Invocation(command, -1, "", List.of(), false);
            case "reload":
                expectAtMost(args, 2);
                return new Invocation(command, pid(args), "", List.of(), false);
            case "status": {
                boolean json = false;
                for (int i = 2; i < args.length; i++) {
                    if (!args[i].equals("--json") || json) {
                        throw new UsageException("status: unexpected '" + args[i] + "'; expected status <pid> [--json]");
                    }
                    json = true;
                }
                return new Invocation(command, pid(args), "", List.of(), json);
            }
            case "attach":
                // Options as one comma-separated argument, or spread over several: both read as one.
                return new Invocation(command, pid(args), String.join(",", rest(args)), List.of(), false);
            case "set": {
                List<String> pairs = rest(args);
                if (pairs.isEmpty()) {
                    throw new UsageException("set: nothing to set; expected set <pid> key=value...");
                }
                for (String p : pairs) {
                    if (p.indexOf('=') <= 0) {
                        throw new UsageException("set: '" + p + "' is not key=value");
                    }
                    String key = p.substring(0, p.indexOf('=')).strip();
                    if (Changes.type(key) == null) {
                        throw new UsageException("set: " + key + " cannot be set live; expected " + Changes.KEYS);
                    }
                }
                return new Invocation(command, pid(args), "", pairs, false);
            }
            default:
                throw new UsageException("unknown command '" + command + "'");
        }
    }

    private static long pid(String[] args) throws UsageException {
        if (args.length < 2) {
            throw new UsageException(args[0] + ": which JVM? expected " + args[0] + " <pid>; 'list' shows them");
        }
        String text = args[1];
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            throw new UsageException(args[0] + ": '" + text + "' is not a process id");
        }
        return pid;
    }

    private static List<String> rest(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            rest.add(args[i]);
        }
        return rest;
    }

    private static void expectAtMost(String[] args, int count) throws UsageException {
        if (args.length > count) {
            throw new UsageException(args[0] + ": unexpected '" + args[count] + "'");
        }
    }
}

package io.heapguard.examples.demo;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The README's first command: the same upload-conversion service ({@link UploadService}) under the same
 * load, run twice with the same heap and {@code -XX:+ExitOnOutOfMemoryError}, as production runs it:
 * once without heapguard, once with it; then a side-by-side table of what was measured.
 *
 * <pre>
 * java -jar examples/target/heapguard-demo.jar [--seconds 15] [--clients 6] [--agent path/to/heapguard-agent.jar]
 *                                              [--logs directory]
 * </pre>
 *
 * The load ({@link Load}): several clients each send an ordinary 1-2 MiB upload every 100 ms; a few
 * oversized uploads (300, 450 and 600 MiB, streamed) arrive during the run. Every number in the table
 * comes from that run; nothing is decided in advance.
 */
public final class DemoMain {
    static final String HEAP = "256m";
    /** The agent's configuration for the second run: an 8th of the heap per upload, opened around the handler. */
    static final String AGENT_ARGS = "scope.upload.entry=" + ConvertHandler.class.getName() + "#handle,"
            + "scope.upload.limit=32m";

    private DemoMain() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("heapguard demo: " + e.getMessage());
            System.err.println("usage: java -jar examples/target/heapguard-demo.jar [--seconds N] [--clients N]"
                    + " [--agent path/to/heapguard-agent.jar] [--logs directory]");
            System.exit(2);
            return;
        }
        Path demoJar = ownLocation();
        Path agent = findAgent(settings.agent, demoJar);
        if (agent == null) {
            System.exit(2);
            return;
        }
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Path logs = settings.logs != null ? Files.createDirectories(Paths.get(settings.logs))
                : Files.createTempDirectory("heapguard-demo-");

        Load.Plan plan = Load.Plan.standard(settings.seconds, settings.clients);
        System.out.println("heapguard demo: an upload-conversion service (JDK HttpServer; buffers each upload, "
                + "Base64-encodes it)");
        System.out.println("  run twice on " + javaName() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, each with -Xmx" + HEAP + " -XX:+ExitOnOutOfMemoryError: without the agent, then with it");
        System.out.println("  load per run: " + plan.describe());
        System.out.println("  agent: " + agent);
        System.out.println();

        List<String> common = List.of("-Xmx" + HEAP, "-XX:+ExitOnOutOfMemoryError");
        Run without = Run.execute("without agent", java, demoJar, common, List.of(), plan, logs.resolve("without-agent"));
        Run with = Run.execute("with heapguard", java, demoJar, common,
                List.of("-javaagent:" + agent + "=" + AGENT_ARGS), plan, logs.resolve("with-heapguard"));
        System.out.println();
        System.out.print(Table.render(plan, without, with));
        System.out.println();
        System.out.println("Commands, service output and GC logs: " + logs);
    }

    static String javaName() {
        return "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")";
    }

    /** The demo jar (or classes directory) this class was loaded from: the service's class path. */
    static Path ownLocation() throws URISyntaxException {
        return Paths.get(DemoMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /**
     * {@code --agent}, else {@code agent/target/heapguard-agent.jar} of the build this demo jar belongs to,
     * else of the working directory. Says where it looked when it finds none.
     */
    static Path findAgent(String given, Path demoJar) {
        List<Path> tried = new ArrayList<>();
        if (given != null) {
            tried.add(Paths.get(given));
        } else {
            Path target = demoJar.getParent(); // examples/target (or examples/target/classes in an IDE)
            for (Path p = target; p != null; p = p.getParent()) {
                Path candidate = p.resolve("agent").resolve("target").resolve("heapguard-agent.jar");
                if (Files.isDirectory(p.resolve("agent"))) {
                    tried.add(candidate);
                    break;
                }
            }
            tried.add(Paths.get("agent", "target", "heapguard-agent.jar"));
        }
        for (Path p : tried) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        System.err.println("heapguard demo: the agent jar is missing; looked for " + tried);
        System.err.println("  build it first (./mvnw -B -q -DskipTests package, from the repository root),"
                + " or pass --agent path/to/heapguard-agent.jar");
        return null;
    }

    /** The command line: {@code --seconds}, {@code --clients}, {@code --agent}. */
    static final class Settings {
        int seconds = 15;
        int clients = 6;
        String agent;
        String logs;

        static Settings parse(String[] args) {
            Settings s = new Settings();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("'" + a + "' needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--seconds":
                        s.seconds = number(a, v, 3, 300);
                        break;
                    case "--clients":
                        s.clients = number(a, v, 1, 64);
                        break;
                    case "--agent":
                        s.agent = v;
                        break;
                    case "--logs":
                        s.logs = v;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                }
            }
            return s;
        }

        private static int number(String option, String value, int min, int max) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(option + " must be a number from " + min + " to " + max + ", was '"
                    + value + "'");
        }
    }
}

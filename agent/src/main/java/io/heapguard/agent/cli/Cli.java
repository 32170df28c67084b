package io.heapguard.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.heapguard.agent.management.AgentProperties;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * {@code java -jar heapguard-agent.jar list | attach | status | set | reload}: operates heapguard in a JVM
 * that is already running, through the Attach API and the local JMX connector it starts. Exit status 0 when
 * done, 1 when the operation failed, 2 on a usage error; each failure is one line on standard error.
 */
public final class Cli {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;
    private final String agentJar;

    Cli(PrintStream out, PrintStream err, String agentJar) {
        this.out = out;
        this.err = err;
        this.agentJar = agentJar;
    }

    /** Called by {@code io.heapguard.agent.CommandLine} in the class loader that also holds the core classes. */
    public static int run(String[] args, String agentJar) {
        return new Cli(System.out, System.err, agentJar).execute(args);
    }

    int execute(String... args) {
        Invocation call;
        try {
            call = Invocation.parse(args);
        } catch (Invocation.UsageException e) {
            err.println("heapguard: " + e.getMessage());
            err.print(Invocation.USAGE);
            return USAGE;
        }
        if (call.command().equals("help")) {
            out.print(Invocation.USAGE);
            return OK;
        }
        try {
            if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
                throw new Failure("this Java (" + System.getProperty("java.home") + ") has no jdk.attach module;"
                        + " run the command with a JDK's java");
            }
            switch (call.command()) {
                case "list":
                    list();
                    break;
                case "attach":
                    attach(call.pid(), call.options());
                    break;
                case "status":
                    try (Beans beans = Beans.open(call.pid())) {
                        StatusReport report = StatusReport.read(beans);
                        out.print(call.json() ? report.json() + "\n" : report.text());
                    }
                    break;
                case "set":
                    set(call.pid(), call.pairs());
                    break;
                default:
                    reload(call.pid());
            }
            return OK;
        } catch (Failure e) {
            err.println("heapguard: " + e.getMessage());
            return FAILED;
        }
    }

    private void list() {
        String row = "%-8s %-5s %-26s %s%n";
        out.printf(Locale.ROOT, row, "PID", "JAVA", "HEAPGUARD", "MAIN CLASS");
        long self = ProcessHandle.current().pid();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            long pid;
            try {
                pid = Long.parseLong(d.id());
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid == self) {
                continue;
            }
            String main = d.displayName().isBlank() ? "?" : d.displayName().strip().split("\\s+")[0];
            String java = "?";
            String heapguard;
            try (Target t = Target.attach(pid)) {
                Properties p = t.properties();
                java = p.getProperty("java.specification.version", "?");
                String version = Target.heapguardVersion(p);
                heapguard = version == null ? "-" : version + " " + p.getProperty(AgentProperties.MODE, "?");
            } catch (Failure e) {
                heapguard = "? (cannot attach)";
            }
            out.printf(Locale.ROOT, row, pid, java, heapguard, main);
        }
    }

    private void attach(long pid, String options) throws Failure {
        try (Target target = Target.attach(pid)) {
            Properties before = target.properties();
            int feature = Target.javaFeature(before);
            if (feature >= 0 && feature < Target.OLDEST_JAVA) {
                throw new Failure("JVM " + pid + " runs Java " + before.getProperty("java.specification.version")
                        + "; heapguard needs Java " + Target.OLDEST_JAVA + " or newer");
            }
            String running = Target.heapguardVersion(before);
            if (running != null) {
                throw new Failure("heapguard " + running + " is already attached to JVM " + pid + ", mode "
                        + before.getProperty(AgentProperties.MODE, "?") + "; change it with 'set " + pid
                        + " key=value', re-read its rules file with 'reload " + pid + "'");
            }
            target.loadAgent(agentJar, options);
            Properties after = target.properties();
            String version = Target.heapguardVersion(after);
            String refused = after.getProperty(AgentProperties.ATTACH_ERROR);
            if (version != null) {
                out.println("heapguard " + version + " attached to JVM " + pid + ", mode "
                        + after.getProperty(AgentProperties.MODE, "?"));
            } else if (refused != null) {
                throw new Failure(refused + "; nothing was installed, JVM " + pid + " runs unguarded");
            } else {
                out.println("heapguard installed nothing in JVM " + pid + ": mode off");
            }
        }
    }

    private void set(long pid, List<String> pairs) throws Failure {
        try (Beans beans = Beans.open(pid)) {
            long maxHeap = ((Number) beans.get(Beans.AGENT, "MaxHeapBytes").get("MaxHeapBytes")).longValue();
            List<Changes.Change> changes = Changes.check(pairs, maxHeap, beans.ruleNames());
            List<String> done = new ArrayList<>();
            for (Changes.Change c : changes) {
                Object old = beans.get(c.bean(), c.attribute()).get(c.attribute());
                try {
                    beans.set(c.bean(), c.attribute(), c.value());
                } catch (Failure e) {
                    throw new Failure("set: " + c.key() + ": " + e.getMessage() + (done.isEmpty() ? "; nothing changed"
                            : "; already changed: " + String.join(", ", done)));
                }
                done.add(c.key());
                out.println("JVM " + pid + ": " + c.key() + " " + c.shown(old) + " -> " + c.shown(c.value()));
            }
        }
    }

    private void reload(long pid) throws Failure {
        try (Beans beans = Beans.open(pid)) {
            beans.invoke(Beans.AGENT, "reload");
            Map<String, Object> agent = beans.get(Beans.AGENT, "ConfigFile", "Mode");
            out.println("JVM " + pid + ": reloaded " + agent.get("ConfigFile") + "; mode " + agent.get("Mode")
                    + ", rules " + (beans.ruleNames().isEmpty() ? "none" : String.join(", ", beans.ruleNames())));
        }
    }
}

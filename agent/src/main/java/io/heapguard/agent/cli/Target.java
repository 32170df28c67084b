package io.heapguard.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import io.heapguard.agent.management.AgentProperties;

import java.io.IOException;
import java.util.Properties;

/** A local JVM reached through the Attach API (the JDK's {@code jdk.attach} module). */
final class Target implements AutoCloseable {
    /** The oldest Java the agent's classes run on. */
    static final int OLDEST_JAVA = 17;

    final long pid;
    private final VirtualMachine vm;

    private Target(long pid, VirtualMachine vm) {
        this.pid = pid;
        this.vm = vm;
    }

    static Target attach(long pid) throws Failure {
        if (pid == ProcessHandle.current().pid()) {
            throw new Failure(pid + " is this command itself");
        }
        try {
            return new Target(pid, VirtualMachine.attach(Long.toString(pid)));
        } catch (AttachNotSupportedException | IOException e) {
            String why = ProcessHandle.of(pid).isPresent() ? e.getMessage()
                    : "no process " + pid;
            throw new Failure("cannot attach to JVM " + pid + ": " + why + (ProcessHandle.of(pid).isPresent()
                    ? " (a JVM started with -XX:+DisableAttachMechanism, run by another user, or not a HotSpot JVM"
                    + " refuses attach)" : ""));
        }
    }

    Properties properties() throws Failure {
        try {
            return vm.getSystemProperties();
        } catch (IOException e) {
            throw new Failure("JVM " + pid + " does not answer: " + e.getMessage());
        }
    }

    /** heapguard's version in that JVM, or null when it is not loaded. */
    static String heapguardVersion(Properties p) {
        return p.getProperty(AgentProperties.VERSION);
    }

    /** The Java feature release of that JVM ({@code 1.8} is 8), or -1 when it does not say. */
    static int javaFeature(Properties p) {
        String spec = p.getProperty("java.specification.version", "");
        try {
            return spec.startsWith("1.") ? Integer.parseInt(spec.substring(2)) : Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    void loadAgent(String jar, String options) throws Failure {
        try {
            vm.loadAgent(jar, options.isEmpty() ? null : options);
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            throw new Failure("JVM " + pid + " could not load " + jar + ": " + e.getMessage()
                    + " (its standard error may say more)");
        }
    }

    /** Starts (or finds) the JVM's local JMX connector: loopback only, no remote flags needed. */
    String localJmxAddress() throws Failure {
        try {
            return vm.startLocalManagementAgent();
        } catch (IOException e) {
            throw new Failure("JVM " + pid + " did not start its local JMX connector: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            vm.detach();
        } catch (IOException e) {
            // the JVM may have ended; nothing of ours is left in it
        }
    }
}

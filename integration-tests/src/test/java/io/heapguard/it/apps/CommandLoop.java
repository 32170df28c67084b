package io.heapguard.it.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The step-by-step protocol of the applications a test drives live: {@code READY pid=N} once running, then one
 * command per line on stdin, each answered by its {@code RESULT} lines and a closing {@code DONE}; {@code quit}
 * answers {@code BYE} and exits with status 0. A watchdog halts the JVM with status 3 after {@code lifetime}
 * seconds, whatever the test does. It names no heapguard class (nor {@code Report}, which does), so an
 * application started without the agent can use it.
 */
public final class CommandLoop {
    private CommandLoop() {
    }

    /** Serves commands until {@code quit} or the end of stdin; a command that throws answers {@code error=}. */
    public static void serve(String name, long lifetimeSeconds, Consumer<String[]> commands) throws IOException {
        startWatchdog(name, lifetimeSeconds);
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w[0].isEmpty()) {
                continue;
            }
            if (w[0].equals("quit")) {
                System.out.println("BYE");
                System.out.flush();
                System.exit(0);
            }
            try {
                commands.accept(w);
            } catch (RuntimeException | Error e) {
                System.out.println("RESULT error=" + e.toString().replace('\n', ' '));
            }
            System.out.println("DONE");
            System.out.flush();
        }
    }

    private static void startWatchdog(String name, long seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000); // the JVM's lifetime bound, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
            System.err.println(name + ": still running after " + seconds + " s, halting");
            Runtime.getRuntime().halt(3);
        }, name + "-watchdog");
        t.setDaemon(true);
        t.start();
    }
}

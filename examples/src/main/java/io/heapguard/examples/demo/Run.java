package io.heapguard.examples.demo;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One run: the service started with the given options, warmed up, loaded, checked, stopped. */
final class Run {
    final String label;
    final Load.Results results;
    final GcLog gc;
    final boolean survived;
    /** How the service ended, when it did not survive: exit status, time, its last word on the matter. */
    final String ending;
    final List<String> command;
    /** The exit status and when (seconds into the load), or -1 while it ran. */
    int exitStatus = -1;
    double exitSeconds;

    private Run(String label, Load.Results results, GcLog gc, boolean survived, String ending, List<String> command) {
        this.label = label;
        this.results = results;
        this.gc = gc;
        this.survived = survived;
        this.ending = ending;
        this.command = command;
    }

    static Run execute(String label, Path java, Path classpath, List<String> jvmOptions, List<String> agentOptions,
                       Load.Plan plan, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path gcLog = dir.resolve("gc.log");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-Xlog:gc:file=\"" + gcLog + "\"");
        command.addAll(agentOptions);
        command.add("-cp");
        command.add(classpath.toString());
        command.add(UploadService.class.getName());
        command.add(UploadService.EXIT_WITH_PARENT);
        System.out.println("run: " + label);
        System.out.println("  " + String.join(" ", command));
        System.out.flush();

        Service service = Service.start(command, dir.resolve("service.log"));
        HttpClient probe = Load.client();
        Load.Results results;
        long start;
        try {
            Load.warmUp(probe, service.port, plan);
            start = System.nanoTime();
            results = Load.run(plan, service.port);
        } catch (IOException | RuntimeException e) {
            service.stop();
            throw e;
        }
        boolean alive = service.process.isAlive();
        boolean answering = alive && Load.answers(probe, service.port);
        long exitAt = service.exitNanos();
        String ending = null;
        if (!answering) {
            ending = alive ? "was running but not answering"
                    : "exited with status " + service.process.exitValue() + ", " + String.format(Locale.ROOT, "%.1f s",
                            Math.max(0, exitAt - start) / 1e9) + " into the load" + lastWord(service.output());
        }
        int exitStatus = alive ? -1 : service.process.exitValue();
        service.stop();
        GcLog gc = GcLog.read(gcLog);
        System.out.println("  " + results.sent.get() + " ordinary uploads sent, " + results.served.get() + " served; "
                + (answering ? "the service is still answering" : "the service " + ending));
        System.out.println();
        Run run = new Run(label, results, gc, answering, ending, command);
        run.exitStatus = exitStatus;
        run.exitSeconds = Math.max(0, exitAt - start) / 1e9;
        return run;
    }

    /** The JVM's own account of why it exited, such as "Terminating due to java.lang.OutOfMemoryError: ...". */
    private static String lastWord(List<String> output) {
        for (int i = output.size() - 1; i >= 0; i--) {
            String line = output.get(i);
            int oome = line.indexOf("OutOfMemoryError");
            if (oome >= 0) {
                return ": " + line.trim();
            }
        }
        return "";
    }
}

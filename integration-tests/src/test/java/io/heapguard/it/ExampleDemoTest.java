package io.heapguard.it;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * examples/RefusalDemo, started exactly as the README says, from the repository root:
 * {@code java -javaagent:agent/target/heapguard-agent.jar=config=examples/heapguard-demo.properties
 * -cp examples/target/heapguard-examples.jar io.heapguard.examples.RefusalDemo}; and without the agent.
 */
class ExampleDemoTest {
    private static final String DEMO = "io.heapguard.examples.RefusalDemo";

    private static Jvm demo(Jdk jdk) {
        Jvm jvm = Jvm.on(jdk);
        Path examplesJar = Build.examplesJarPath();
        assertTrue(Files.isRegularFile(examplesJar), "build examples first: " + examplesJar);
        return jvm.defaults("-Xmx256m").workingDir(Build.root()).named("RefusalDemo")
                .classpathOnly(Build.root().relativize(examplesJar).toString());
    }

    @OnEachJdk
    void demoShowsARefusalUnderTheAgent(Jdk jdk) {
        Build.agentJar();
        JvmResult r = demo(jdk)
                .options("-javaagent:agent/target/heapguard-agent.jar=config=examples/heapguard-demo.properties")
                .run(DEMO);
        r.assertExit(0).assertNoStackTrace();
        String out = r.stdout();
        assertTrue(out.contains("REFUSED"), () -> "the demo should report the refusal\n" + r.describe());
        assertTrue(out.contains("rule 'upload'") || out.contains("rule=upload"), () -> r.describe());
        assertTrue(out.contains("buffer intact"), () -> r.describe());
        assertTrue(out.contains("JVM alive"), () -> r.describe());
        assertFalse(out.contains("NOT intact"), () -> r.describe());
    }

    @OnEachJdk
    void demoRunsWithoutTheAgent(Jdk jdk) {
        JvmResult r = demo(jdk).run(DEMO);
        r.assertExit(0).assertNoStackTrace().assertStderrEmpty();
        assertTrue(r.stdout().contains("nothing refused"), () -> r.describe());
        assertFalse(r.stdout().contains("REFUSED"), () -> r.describe());
    }
}

package io.heapguard.it;

import io.heapguard.it.apps.HelloApp;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** The agent in its default configuration prints nothing: no CDS warning, no Unsafe warning, no banner. */
class DefaultAgentQuietTest {

    @OnEachJdk
    void helloWorldUnderTheDefaultAgentPrintsNothingOnStderr(Jdk jdk) {
        JvmResult r = Jvm.on(jdk).agent().run(HelloApp.class);
        assertFalse(r.stderr().contains("Sharing is only supported for boot loader classes"),
                () -> "class-data sharing was switched off by appending to the bootstrap class path\n" + r.describe());
        r.assertExit(0).assertStderrEmpty().assertResult("main-ran", true);
    }
}

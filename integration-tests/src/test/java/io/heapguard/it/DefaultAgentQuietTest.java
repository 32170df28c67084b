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

    /**
     * The JVM does not verify the bootstrap classes it redefines unless told to, so a wrong stack map frame
     * in a hooked JDK class would otherwise go unseen: told to, it rejects the class with a
     * {@code VerifyError}, and the agent says "could not instrument" on stderr.
     */
    @OnEachJdk
    void theRetransformedJdkClassesPassTheVerifier(Jdk jdk) {
        JvmResult r = Jvm.on(jdk).options("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal")
                .agent().run(HelloApp.class);
        r.assertExit(0).assertStderrEmpty().assertResult("main-ran", true);
    }
}

package io.heapguard.it.jmx;

import io.heapguard.it.Build;
import io.heapguard.it.Jdk;
import io.heapguard.it.Jvm;
import io.heapguard.it.JvmResult;
import io.heapguard.it.OnEachJdk;
import io.heapguard.it.apps.jmx.RegistrationWatcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * heapguard registers its MBeans on a background thread, and clients are told to wait for
 * {@code io.heapguard:type=Agent}. So by the time it is registered, everything must be ready: the Global and Rule
 * MBeans registered, and refusals notified to the Agent's subscribers. Checked at that very moment, on the
 * registering thread, by {@link RegistrationWatcher}, a {@code -javaagent} ahead of heapguard's.
 */
class RegistrationOrderTest {

    @OnEachJdk
    void whenTheAgentMBeanIsRegisteredEverythingIsReady(Jdk jdk) throws IOException {
        Path watcher = premainJar(RegistrationWatcher.class);
        JvmResult r = Jvm.on(jdk)
                .options("-javaagent:" + watcher)
                .agent(LiveControlTest.RULES)
                .named("registration-order")
                .run(RegistrationWatcher.class);
        r.assertExit(0);
        r.assertResult("seen", true);
        r.assertResult("error", "none");
        r.assertResult("refused", true);
        r.assertResult("global-registered", true);
        r.assertResult("rule-registered", true);
        r.assertResult("notified", 1);
    }

    /** A jar with nothing but a manifest naming {@code type} as its {@code Premain-Class} (found on the -cp). */
    static Path premainJar(Class<?> type) throws IOException {
        Path jar = Build.workDir().resolve(type.getSimpleName() + "-agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", type.getName());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return jar;
    }
}

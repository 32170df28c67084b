package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.matcher.ElementMatchers;

import java.io.ByteArrayOutputStream;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * An application with its own Byte Buddy (not the agent's version) on its class path: defines a class at run
 * time while the agent is active, then gets a refusal (rule {@code cap}: ByteArrayOutputStream, max-buffer 16m).
 */
public final class ByteBuddyApp {
    public static void main(String[] args) throws Exception {
        result("bytebuddy.location", ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation());
        result("bytebuddy.loader", ByteBuddy.class.getClassLoader() == ByteBuddyApp.class.getClassLoader());
        Class<?> type = new ByteBuddy()
                .subclass(Object.class)
                .name("io.heapguard.it.apps.GeneratedByTheApp")
                .method(ElementMatchers.named("toString"))
                .intercept(FixedValue.value("made by the app's Byte Buddy"))
                .make()
                .load(ByteBuddyApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        result("generated.name", type.getName());
        result("generated.toString", type.getDeclaredConstructor().newInstance());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            out.write(new byte[32 * MiB], 0, 32 * MiB);
            result("cap.refused", false);
        } catch (QuotaExceededException e) {
            Report.refusal("cap", e);
        }
        result("cap.size-after", out.size());
        result("done", true);
    }
}

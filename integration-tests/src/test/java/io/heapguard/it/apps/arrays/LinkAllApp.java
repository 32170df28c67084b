package io.heapguard.it.apps.arrays;

import java.io.File;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static io.heapguard.it.apps.Report.result;

/**
 * Loads and links (through {@code getDeclaredMethods}, which makes the JVM verify a class) every class of
 * the jars given as arguments, with the application class loader: under the agent, each one the array
 * guard rewrote. Prints how many linked and how many failed, by kind of error; a rewrite the JVM rejects
 * shows as a {@code VerifyError}.
 */
public final class LinkAllApp {
    private LinkAllApp() {
    }

    public static void main(String[] jars) throws IOException {
        Map<String, Integer> failures = new TreeMap<>();
        int linked = 0;
        String firstVerifyError = "none";
        for (String jar : jars) {
            try (JarFile f = new JarFile(new File(jar))) {
                for (Enumeration<JarEntry> en = f.entries(); en.hasMoreElements(); ) {
                    String n = en.nextElement().getName();
                    if (!n.endsWith(".class") || n.startsWith("META-INF/") || n.endsWith("module-info.class")
                            || n.endsWith("package-info.class")) {
                        continue;
                    }
                    String name = n.substring(0, n.length() - ".class".length()).replace('/', '.');
                    try {
                        Class.forName(name, false, LinkAllApp.class.getClassLoader()).getDeclaredMethods();
                        linked++;
                    } catch (Throwable t) {
                        failures.merge(t.getClass().getSimpleName(), 1, Integer::sum);
                        if (t instanceof VerifyError && firstVerifyError.equals("none")) {
                            firstVerifyError = name + ": " + t.getMessage().replace('\n', ' ');
                        }
                    }
                }
            }
        }
        result("linked", linked);
        result("verify-errors", failures.getOrDefault("VerifyError", 0));
        result("class-format-errors", failures.getOrDefault("ClassFormatError", 0));
        result("first-verify-error", firstVerifyError);
        result("failures", failures);
        result("done", true);
    }
}

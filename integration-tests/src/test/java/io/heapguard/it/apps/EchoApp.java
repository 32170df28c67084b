package io.heapguard.it.apps;

/** For HarnessTest: echoes its arguments, a property and an environment variable; exits with args[0]. */
public final class EchoApp {
    public static void main(String[] args) {
        System.out.println("RESULT java.version=" + System.getProperty("java.specification.version"));
        System.out.println("RESULT prop=" + System.getProperty("echo.prop"));
        System.out.println("RESULT env=" + System.getenv("ECHO_ENV"));
        System.out.println("RESULT heapguard-env=" + System.getenv().keySet().stream().anyMatch(k -> k.startsWith("HEAPGUARD_")));
        System.out.println("RESULT args=" + String.join(" ", args));
        System.err.println("to stderr");
        System.exit(Integer.parseInt(args[0]));
    }
}

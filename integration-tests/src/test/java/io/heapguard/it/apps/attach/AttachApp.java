package io.heapguard.it.apps.attach;

import io.heapguard.it.apps.CommandLoop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * An application started without heapguard, to be attached to while it runs. It names no heapguard class, so
 * nothing of heapguard is loaded until the agent is attached, and it reads a refusal by reflection. The same
 * protocol as {@code JmxApp}: {@code READY}, then one command per line on stdin answered by {@code RESULT
 * key=value} lines and {@code DONE}; it halts with status 3 after {@code args[0]} seconds whatever happens.
 *
 * <pre>
 * allocate KEY MIB     ByteBuffer.allocate(MIB MiB), held under KEY
 * grow KEY MIB         writes MIB MiB into the ByteArrayOutputStream KEY, 64 KiB at a time
 * drop KEY             lets go of KEY
 * quit                 exits with status 0
 * </pre>
 */
public final class AttachApp {
    private static final Map<String, Object> HELD = new HashMap<>();

    private AttachApp() {
    }

    public static void main(String[] args) throws IOException {
        CommandLoop.serve("AttachApp", args.length > 0 ? Long.parseLong(args[0]) : 120, AttachApp::run);
    }

    private static void run(String[] w) {
        switch (w[0]) {
            case "allocate":
                try {
                    HELD.put(w[1], allocate(Integer.parseInt(w[2]) << 20));
                    result("granted", true);
                } catch (RuntimeException e) {
                    refused(e);
                }
                break;
            case "grow":
                ByteArrayOutputStream out = (ByteArrayOutputStream) HELD.computeIfAbsent(w[1], k -> new ByteArrayOutputStream());
                try {
                    byte[] chunk = new byte[64 << 10];
                    for (long left = (long) Integer.parseInt(w[2]) << 20; left > 0; left -= chunk.length) {
                        out.write(chunk, 0, chunk.length);
                    }
                    result("granted", true);
                } catch (RuntimeException e) {
                    refused(e);
                }
                result("size", out.size());
                break;
            case "drop":
                result("dropped", HELD.remove(w[1]) != null);
                break;
            default:
                result("error", "unknown command " + w[0]);
        }
    }

    /** The call site a refusal names. */
    private static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocate(bytes);
    }

    private static void refused(RuntimeException e) {
        if (!e.getClass().getName().equals("io.heapguard.QuotaExceededException")) {
            throw e;
        }
        result("granted", false);
        for (String accessor : new String[] {"rule", "requestedBytes", "limitBytes", "callSite"}) {
            try {
                result("r." + accessor, e.getClass().getMethod(accessor).invoke(e));
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
        }
        result("r.message", e.getMessage());
    }

    /** Not {@code Report.result}: {@code Report} names heapguard's exception, and this JVM starts without it. */
    private static void result(String key, Object value) {
        System.out.println("RESULT " + key + "=" + value);
        System.out.flush();
    }
}

package io.heapguard.bench.pressure;

/**
 * Tells a heapguard refusal from the JVM's own failures by the exception's class name, so the program loads
 * nothing of heapguard and runs the same without the agent, where no refusal can happen.
 */
final class Failures {
    static final String REFUSAL = "io.heapguard.QuotaExceededException";
    /** Deeper cause chains than this are not looked into (a cycle must not hang a request). */
    private static final int MAX_CAUSES = 16;

    private Failures() {
    }

    /** {@link Innocents#REFUSED}, {@link Innocents#OUT_OF_MEMORY} or {@link Innocents#OTHER_FAILURE}. */
    static byte kind(Throwable t) {
        if (isRefusal(t)) {
            return Innocents.REFUSED;
        }
        return t instanceof OutOfMemoryError ? Innocents.OUT_OF_MEMORY : Innocents.OTHER_FAILURE;
    }

    static boolean isRefusal(Throwable t) {
        Throwable c = t;
        for (int depth = 0; c != null && depth < MAX_CAUSES; depth++, c = c.getCause()) {
            if (c.getClass().getName().equals(REFUSAL)) {
                return true;
            }
        }
        return false;
    }
}

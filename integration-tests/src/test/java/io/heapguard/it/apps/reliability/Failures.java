package io.heapguard.it.apps.reliability;

/**
 * Classifies what a workload caught without naming heapguard's classes, so that one application runs
 * with and without the agent (without it, {@code io.heapguard.QuotaExceededException} does not exist).
 */
public final class Failures {
    private Failures() {
    }

    public static boolean isRefusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getClass().getName().equals("io.heapguard.QuotaExceededException")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    public static boolean isOutOfMemory(Throwable t) {
        return t instanceof OutOfMemoryError;
    }
}

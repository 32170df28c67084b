package io.heapguard.examples.demo;

/**
 * Recognises a heapguard refusal among an exception's causes and suppressed exceptions by class name, so
 * that the service runs, unchanged, with and without the agent and with no heapguard jar on its class path.
 * (An application that compiles against heapguard-core calls {@code HeapGuard.findQuotaExceeded}.)
 */
final class Refusals {
    static final String QUOTA_EXCEEDED = "io.heapguard.QuotaExceededException";

    private Refusals() {
    }

    /** 413 for a refusal of this request, 503 when heapguard's heap reserve refused, 500 for anything else. */
    static int status(Throwable t) {
        Throwable q = find(t, 0);
        if (q == null) {
            return 500;
        }
        return "heap-reserve".equals(Rule.of(q)) ? 503 : 413;
    }

    static String message(Throwable t) {
        Throwable q = find(t, 0);
        return q != null ? q.getMessage() : "conversion failed: " + t;
    }

    private static Throwable find(Throwable t, int depth) {
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c.getClass().getName().equals(QUOTA_EXCEEDED)) {
                return c;
            }
            for (Throwable s : c.getSuppressed()) {
                Throwable found = find(s, depth + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The only code that names heapguard's API: loaded only once a refusal exists, i.e. under the agent. */
    private static final class Rule {
        static String of(Throwable quotaExceeded) {
            return ((io.heapguard.QuotaExceededException) quotaExceeded).rule();
        }
    }
}

package io.heapguard.it.apps.growth;

import io.heapguard.QuotaExceededException;
import io.heapguard.it.apps.Report;

/** Runs one operation that a rule should refuse, and reports what happened as {@code RESULT <prefix>.*}. */
final class Attempt {
    private Attempt() {
    }

    interface Op {
        void run() throws Exception;
    }

    /** {@code <prefix>.refused=true} and the refusal's details, or {@code false}, or {@code <prefix>.error}. */
    static boolean refused(String prefix, Op op) {
        try {
            op.run();
            Report.result(prefix + ".refused", false);
            return false;
        } catch (QuotaExceededException e) {
            Report.refusal(prefix, e);
            return true;
        } catch (Throwable t) {
            Report.result(prefix + ".refused", false);
            Report.result(prefix + ".error", t);
            return false;
        }
    }

    interface IntOp {
        void run(int i) throws Exception;
    }

    /**
     * Runs {@code op(0)}, {@code op(1)}, ... until one is refused (reported once, as {@link #refused} does) or
     * {@code max} have completed ({@code <prefix>.refused=false}); returns how many completed.
     */
    static int until(String prefix, int max, IntOp op) {
        int i = 0;
        try {
            for (; i < max; i++) {
                op.run(i);
            }
            Report.result(prefix + ".refused", false);
        } catch (QuotaExceededException e) {
            Report.refusal(prefix, e);
            Report.result(prefix + ".completed", i);
        } catch (Throwable t) {
            Report.result(prefix + ".refused", false);
            Report.result(prefix + ".error", t);
        }
        return i;
    }

    /** {@code <prefix>.ok=true} when the operation completes, else what it threw. */
    static boolean ok(String prefix, Op op) {
        try {
            op.run();
            Report.result(prefix + ".ok", true);
            return true;
        } catch (Throwable t) {
            Report.result(prefix + ".ok", false);
            Report.result(prefix + ".error", t);
            return false;
        }
    }
}

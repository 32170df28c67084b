package io.heapguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks on what {@code Report.refusal(prefix, e)} printed. */
public final class Refusals {
    public static final long KiB = 1L << 10;
    public static final long MiB = 1L << 20;

    private Refusals() {
    }

    /**
     * The application caught a QuotaExceededException at {@code prefix} from rule {@code rule}, whose call
     * site is in {@code callSiteClass}; {@code requested}/{@code limit} are checked when not null.
     */
    public static void assertRefused(JvmResult r, String prefix, String rule, Class<?> callSiteClass,
                                     Long requested, Long limit, String target) {
        r.assertResult(prefix + ".refused", true);
        r.assertResult(prefix + ".rule", rule);
        r.assertResult(prefix + ".callsite-class", callSiteClass.getName());
        if (requested != null) {
            r.assertResult(prefix + ".requested", requested);
        }
        if (limit != null) {
            r.assertResult(prefix + ".limit", limit);
        }
        if (target != null) {
            r.assertResult(prefix + ".target", target);
        }
        assertEquals("bootstrap", r.result(prefix + ".loader"),
                () -> "QuotaExceededException should be the bootstrap loader's (defined by the agent)\n" + r.describe());
        String message = r.result(prefix + ".message");
        assertTrue(message.contains(callSiteClass.getName()),
                () -> "the message should name the call site " + callSiteClass.getName() + "\n" + r.describe());
        assertTrue(message.contains(rule),
                () -> "the message should name the rule " + rule + "\n" + r.describe());
    }
}

package io.heapguard.stress;

import io.heapguard.QuotaExceededException;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Reservation;
import io.heapguard.testing.TestConfigs;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two growths racing a global limit change (issue #8, item 6): global limit 100, lowered to 70 by an operator
 * while two growths of 60 are in flight. Whatever the order, at most one is granted (the two together exceed
 * both limits), and global holds exactly what was granted.
 */
@JCStressTest
@Outcome(id = "true, false, 60", expect = ACCEPTABLE, desc = "first granted")
@Outcome(id = "false, true, 60", expect = ACCEPTABLE, desc = "second granted")
@Outcome(expect = FORBIDDEN, desc = "both granted (over-commit), both refused, or global inexact")
@State
public class GlobalLimitChangeStress {
    private final Ledger ledger = Ledger.standalone(TestConfigs.config().globalLimit(100).build(),
            TestConfigs.NO_COLLECTION);
    private Reservation a;
    private Reservation b;

    @Actor
    public void first(ZZJ_Result r) {
        try {
            a = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 0, 60);
            r.r1 = true;
        } catch (QuotaExceededException refused) {
            r.r1 = false;
        }
    }

    @Actor
    public void second(ZZJ_Result r) {
        try {
            b = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 0, 60);
            r.r2 = true;
        } catch (QuotaExceededException refused) {
            r.r2 = false;
        }
    }

    @Actor
    public void operator() {
        ledger.setGlobalLimitBytes(70);
    }

    @Arbiter
    public void held(ZZJ_Result r) {
        r.r3 = ledger.global().used();
        if (a != null) {
            a.abandon();
        }
        if (b != null) {
            b.abandon();
        }
    }
}

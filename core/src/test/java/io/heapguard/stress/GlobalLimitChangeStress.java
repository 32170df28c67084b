package io.heapguard.stress;

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
 * Two growths racing a change of the global limit (issue #8, item 6): global limit 100; one thread asks for 60,
 * the other lowers the limit to 70 and asks for 60 too. The two together exceed both the old and the new limit,
 * so whatever the interleaving exactly one is granted and global holds exactly 60. (Two actors: CI has 2 CPUs.)
 */
@JCStressTest
@Outcome(id = "true, false, 60", expect = ACCEPTABLE, desc = "the grower's 60 granted (on either limit), the operator's refused")
@Outcome(id = "false, true, 60", expect = ACCEPTABLE, desc = "the operator's 60 granted first, the grower's refused")
@Outcome(expect = FORBIDDEN, desc = "both granted (over-commit), both refused, or global inexact")
@State
public class GlobalLimitChangeStress {
    private final Ledger ledger = Grants.ledger(TestConfigs.config().globalLimit(100));
    private Reservation a;
    private Reservation b;

    @Actor
    public void grower(ZZJ_Result r) {
        a = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 60);
        r.r1 = a != null;
    }

    @Actor
    public void operator(ZZJ_Result r) {
        ledger.control().setGlobalLimitBytes(70);
        b = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 60);
        r.r2 = b != null;
    }

    @Arbiter
    public void held(ZZJ_Result r) {
        r.r3 = ledger.global().used();
        Grants.abandon(a, b);
    }
}

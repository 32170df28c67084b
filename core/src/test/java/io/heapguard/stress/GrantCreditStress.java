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
import org.openjdk.jcstress.infra.results.ZJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A grant racing a credit (issue #8, item 6): the rule (limit 100) holds 60 that are being given back while
 * another 60 are asked for. Either the credit is seen and the growth granted, or not and it is refused; the
 * account and the global ledger end exact either way: no lost update, nothing negative, no over-commit.
 */
@JCStressTest
@Outcome(id = "true, 60, 60", expect = ACCEPTABLE, desc = "the credit came first: granted")
@Outcome(id = "false, 0, 0", expect = ACCEPTABLE, desc = "decided before the credit: refused")
@Outcome(expect = FORBIDDEN, desc = "over-commit, a lost credit or charge, or rule and global disagree")
@State
public class GrantCreditStress {
    private final Ledger ledger = Grants.ledger(TestConfigs.config()
            .rule("r", "ByteBuffer.allocateDirect", "", -1, 100));
    private final Reservation held = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 0, 60);
    private Reservation asked;

    @Actor
    public void grower(ZJJ_Result r) {
        asked = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 60);
        r.r1 = asked != null;
    }

    @Actor
    public void releaser() {
        held.abandon();
    }

    @Arbiter
    public void balance(ZJJ_Result r) {
        r.r2 = ledger.control().ruleAccount("r").used();
        r.r3 = ledger.global().used();
        Grants.abandon(asked);
    }
}

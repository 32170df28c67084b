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
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A limit lowered while a grant is in flight (issue #8, item 6). The guarantee: every decision is made against
 * one limit, the old or the new, never a mix; a decision that starts after the write has returned uses the new
 * limit; a decision already in flight may still be granted against the old limit, so what the rule holds can
 * end above the new limit by what was in flight, but never above the old one; and the account is exact.
 *
 * <p>Rule {@code r} (limit 100). The grower asks for 60; the operator lowers the limit to 50 and then asks for 40.
 */
@JCStressTest
@Outcome(id = "true, false, 60", expect = ACCEPTABLE, desc = "grower decided first, on the old limit; the operator's 40 is over the new one")
@Outcome(id = "false, true, 40", expect = ACCEPTABLE, desc = "grower decided on the new limit (60 > 50): refused")
@Outcome(id = "true, true, 100", expect = ACCEPTABLE_INTERESTING,
        desc = "grower in flight on the old limit (40 + 60 <= 100) while the operator's 40 fit the new one: 100 held, above the new limit, at the old")
@Outcome(id = "false, false, .*", expect = FORBIDDEN, desc = "a growth refused though every limit allowed it")
@Outcome(expect = FORBIDDEN, desc = "above the old limit, or the account does not hold what was granted")
@State
public class LimitLoweredStress {
    private final Ledger ledger = Grants.ledger(TestConfigs.config()
            .rule("r", "ByteBuffer.allocateDirect", "", -1, 100));
    private Reservation grower;
    private Reservation operator;

    @Actor
    public void grower(ZZJ_Result r) {
        grower = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 60);
        r.r1 = grower != null;
    }

    @Actor
    public void operator(ZZJ_Result r) {
        ledger.control().setRuleLimitBytes("r", 50);
        operator = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 40);
        r.r2 = operator != null;
    }

    @Arbiter
    public void held(ZZJ_Result r) {
        long used = ledger.control().ruleAccount("r").used();
        r.r3 = used == ledger.global().used() ? used : -used; // a mismatch with global shows as negative
        Grants.abandon(grower, operator);
    }
}

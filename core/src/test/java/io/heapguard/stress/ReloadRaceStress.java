package io.heapguard.stress;

import io.heapguard.ledger.Account;
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
 * A reload racing a grant (issue #8, item 6). Rule {@code r} (limit 100) holds 30; a grower asks for 60 while a
 * reload keeps {@code r} with limit 80 and adds rule {@code s}. The grant is decided wholly on the old or the new
 * configuration (30 + 60 fits 100, not 80), the account of {@code r} survives the reload with what it holds, and
 * global agrees with it: what the reload keeps is what was granted, whenever the grant happened.
 */
@JCStressTest
@Outcome(id = "true, true, 90", expect = ACCEPTABLE, desc = "decided on the old configuration: granted, carried into the new")
@Outcome(id = "false, true, 30", expect = ACCEPTABLE, desc = "decided on the new configuration: refused")
@Outcome(expect = FORBIDDEN, desc = "the account lost or gained bytes across the reload, or the reload is not whole")
@State
public class ReloadRaceStress {
    private final Ledger ledger = Grants.ledger(TestConfigs.config()
            .rule("r", "ByteBuffer.allocateDirect", "", -1, 100));
    private final Reservation before = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 0, 30);
    private Reservation asked;

    @Actor
    public void grower(ZZJ_Result r) {
        asked = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 60);
        r.r1 = asked != null;
    }

    @Actor
    public void reloader() {
        ledger.control().reload(TestConfigs.config()
                .rule("r", "ByteBuffer.allocateDirect", "", -1, 80)
                .rule("s", "ByteBuffer.allocate", "", -1, 10)
                .build());
    }

    @Arbiter
    public void held(ZZJ_Result r) {
        Account a = ledger.control().ruleAccount("r");
        r.r2 = ledger.control().ruleAccount("s") != null && ledger.control().ruleLimitBytes("r") == 80
                && a.used() == ledger.global().used();
        r.r3 = a.used();
        Grants.abandon(asked, before);
    }
}

package io.heapguard.stress;

import io.heapguard.ledger.Account;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Two charges that together exceed the limit: exactly one is granted, and used is exactly what was. */
@JCStressTest
@Outcome(id = "true, false, 60", expect = ACCEPTABLE, desc = "first granted")
@Outcome(id = "false, true, 60", expect = ACCEPTABLE, desc = "second granted")
@Outcome(id = "true, true, 120", expect = FORBIDDEN, desc = "over-commit")
@Outcome(expect = FORBIDDEN, desc = "lost update or spurious refusal")
@State
public class AccountOverCommitStress {
    private final Account account = new Account("stress");

    @Actor
    public void first(ZZJ_Result r) {
        r.r1 = account.tryCharge(60, 100);
    }

    @Actor
    public void second(ZZJ_Result r) {
        r.r2 = account.tryCharge(60, 100);
    }

    @Arbiter
    public void held(ZZJ_Result r) {
        r.r3 = account.used();
    }
}

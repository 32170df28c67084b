package io.heapguard.ledger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.J_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads charge one account in different collection epochs, one having read the epoch before a
 * collection and one after: the account remembers the later. (Left at the earlier, the account would look
 * uncharged since the last collection, and a refusal with the collection budget spent would go without the
 * collection that the later charge, perhaps garbage by then, calls for.) In this package because the mark
 * is the ledger's own.
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "the later epoch is kept")
@Outcome(expect = FORBIDDEN, desc = "an earlier epoch overwrote the later one")
@State
public class ChargeEpochStress {
    private final Account account = new Account("a");

    @Actor
    public void beforeTheCollection() {
        account.markCharged(1);
    }

    @Actor
    public void afterTheCollection() {
        account.markCharged(2);
    }

    @Arbiter
    public void after(J_Result r) {
        r.r1 = account.lastChargeEpoch();
    }
}

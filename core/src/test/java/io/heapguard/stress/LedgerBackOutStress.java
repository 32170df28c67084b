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
import org.openjdk.jcstress.infra.results.ZZZ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two growths through the whole decision path, each under its own rule (limit 100) but sharing the
 * global limit (100): whichever the global limit refuses must have its rule's charge backed out. The
 * third result says every account holds exactly what the granted growths took.
 */
@JCStressTest
@Outcome(id = "true, false, true", expect = ACCEPTABLE, desc = "first granted, second refused and backed out")
@Outcome(id = "false, true, true", expect = ACCEPTABLE, desc = "second granted, first refused and backed out")
@Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "over-commit of the global limit")
@Outcome(expect = FORBIDDEN, desc = "an account left holding a refused charge, or both refused")
@State
public class LedgerBackOutStress {
    private final Ledger ledger = Grants.ledger(TestConfigs.config()
            .globalLimit(100)
            .rule("heap", "ByteBuffer.allocate", "", -1, 100)
            .rule("direct", "ByteBuffer.allocateDirect", "", -1, 100));
    private Reservation first;
    private Reservation second;

    @Actor
    public void first(ZZZ_Result r) {
        first = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE, 60);
        r.r1 = first != null;
    }

    @Actor
    public void second(ZZZ_Result r) {
        second = Grants.tryReserve(ledger, GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 60);
        r.r2 = second != null;
    }

    @Arbiter
    public void balance(ZZZ_Result r) {
        long heap = ledger.control().ruleAccount("heap").used();
        long direct = ledger.control().ruleAccount("direct").used();
        long global = ledger.global().used();
        r.r3 = heap == (r.r1 ? 60 : 0) && direct == (r.r2 ? 60 : 0) && global == heap + direct;
        // Reservations are thread-confined; the arbiter runs after both actors, so it may settle them.
        Grants.abandon(first, second);
    }
}

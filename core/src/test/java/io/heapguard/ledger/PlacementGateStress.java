package io.heapguard.ledger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Two threads take the placement gate at once: only one holds it at a time, so the plain counter each
 * increments while holding it loses no update. (A growth judged free must stay the only pinned allocation
 * until its array exists.) In this package because the gate is the ledger's own.
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "one holder at a time")
@Outcome(expect = FORBIDDEN, desc = "both held the gate at once")
@State
public class PlacementGateStress {
    private final PlacementGate gate = new PlacementGate();
    private int holders;

    @Actor
    public void first() {
        gate.enter(ThreadState.current());
        holders++;
        gate.exit();
    }

    @Actor
    public void second() {
        gate.enter(ThreadState.current());
        holders++;
        gate.exit();
    }

    @Arbiter
    public void after(I_Result r) {
        // Returns at once when both have let go: the arbiter would wait a second otherwise.
        gate.enter(ThreadState.current());
        r.r1 = holders;
        gate.exit();
    }
}

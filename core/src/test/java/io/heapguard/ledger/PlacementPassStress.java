package io.heapguard.ledger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A pinned growth granted without a look at the regions, and a growth whose placement is judged, at once: the
 * first one's array (here a write) lands either before the judged growth looks or after it lets the gate go,
 * never between its look and its own allocation, where it would split the run it was judged to fit in.
 */
@JCStressTest
@Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "landed after the holder let go, or before it looked")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "landed in the run the holder had judged free")
@Outcome(expect = FORBIDDEN, desc = "not a possible outcome")
@State
public class PlacementPassStress {
    private final PlacementGate gate = new PlacementGate();
    private volatile int placed;

    @Actor
    public void grantedWithoutALook() {
        ThreadState ts = ThreadState.current();
        gate.pass(ts);
        placed = 1;
        gate.landed(ts);
    }

    @Actor
    public void judged(II_Result r) {
        ThreadState ts = ThreadState.current();
        gate.enter(ts);
        r.r1 = placed; // the look at the regions
        for (int i = 0; i < 100 && placed == 0; i++) {
            Thread.onSpinWait(); // the judged growth's own allocation takes a while
        }
        r.r2 = placed;
        gate.exit();
    }
}

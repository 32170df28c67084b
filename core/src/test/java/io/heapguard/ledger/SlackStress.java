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
 * Two threads spend the heap reserve's slack, each through shares of its own: together they never take
 * more than the slack held, and the slack never goes below zero. (Growths granted from the slack skip
 * the heap reading, so spending past it would let them into the reserve unread.) In this package because
 * the slack is the heap reserve's own.
 */
@JCStressTest
@Outcome(id = "1", expect = ACCEPTABLE, desc = "spent within the slack")
@Outcome(expect = FORBIDDEN, desc = "spent past the slack")
@State
public class SlackStress {
    private static final long RESERVE = 7;
    private static final long SLACK = 1_000;
    private static final long GROWTH = 50;
    private static final int TRIES = 20;

    private final HeapReserve.Slack slack = new HeapReserve.Slack(RESERVE, SLACK);
    private long first;
    private long second;

    @Actor
    public void first() {
        first = spend();
    }

    @Actor
    public void second() {
        second = spend();
    }

    private long spend() {
        ThreadState ts = ThreadState.current();
        long granted = 0;
        for (int i = 0; i < TRIES; i++) {
            if (slack.take(ts, GROWTH, RESERVE)) {
                granted += GROWTH;
            }
        }
        return granted;
    }

    @Arbiter
    public void after(I_Result r) {
        r.r1 = first + second <= SLACK && slack.get() >= 0 ? 1 : 0;
    }
}

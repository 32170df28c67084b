package io.heapguard.ledger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heap reserve's slack, spent a share at a time by each thread (concurrency: {@code SlackStress}). */
class SlackTest {
    private static final long RESERVE = 10;

    @Test
    void aThreadSpendsItsShareWithoutTouchingTheSlackAgain() {
        ThreadState ts = ThreadState.current();
        HeapReserve.Slack slack = new HeapReserve.Slack(RESERVE, 1_600);

        assertTrue(slack.take(ts, 10, RESERVE));
        assertEquals(1_500, slack.get(), "one share, 1/16 of what was left");
        for (int i = 0; i < 9; i++) {
            assertTrue(slack.take(ts, 10, RESERVE));
        }
        assertEquals(1_500, slack.get(), "the rest of the share spent without the slack");
        assertTrue(slack.take(ts, 10, RESERVE));
        assertEquals(1_500 - 1_500 / 16, slack.get(), "a new share once the first is spent");
    }

    @Test
    void aGrowthLargerThanAShareTakesItsOwnSizeAndNeverMoreThanIsLeft() {
        ThreadState ts = ThreadState.current();
        HeapReserve.Slack slack = new HeapReserve.Slack(RESERVE, 1_000);

        assertTrue(slack.take(ts, 900, RESERVE));
        assertEquals(100, slack.get());
        assertFalse(slack.take(ts, 101, RESERVE), "more than is left");
        assertEquals(100, slack.get(), "a refused take leaves the slack as it was");
        assertTrue(slack.take(ts, 100, RESERVE));
        assertEquals(0, slack.get());
        assertFalse(slack.take(ts, 1, RESERVE));
    }

    @Test
    void aShareEndsWhenANewReadingReplacesItsSlack() {
        ThreadState ts = ThreadState.current();
        HeapReserve.Slack old = new HeapReserve.Slack(RESERVE, 1_600);
        assertTrue(old.take(ts, 10, RESERVE)); // a share of 100, 90 left in it

        assertFalse(HeapReserve.Slack.NONE.take(ts, 10, RESERVE), "a full heap left no slack: the share is gone");
        HeapReserve.Slack fresh = new HeapReserve.Slack(RESERVE, 32);
        assertTrue(fresh.take(ts, 10, RESERVE));
        assertEquals(22, fresh.get(), "taken from the new slack, not from the old share");
    }

    @Test
    void aSlackMeasuredUnderAnotherReserveGrantsNothing() {
        ThreadState ts = ThreadState.current();
        HeapReserve.Slack slack = new HeapReserve.Slack(RESERVE, 1_600);
        assertTrue(slack.take(ts, 10, RESERVE));

        assertFalse(slack.take(ts, 10, RESERVE + 1), "the reserve was changed since the reading, share included");
        assertFalse(new HeapReserve.Slack(RESERVE, 1_600).take(ts, 10, RESERVE * 2));
    }
}

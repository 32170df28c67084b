package io.heapguard.ledger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap reserve ({@code heap.reserve}): keeps that much of the heap free for everyone by refusing the
 * thread that fills it. It refuses only the thread that the last collection found holding the most (or a
 * single growth larger than all it holds), and only while that collection showed the heap really that
 * full: innocent threads keep working in the reserve, without waiting for a collection, while the one
 * that fills the heap is stopped. Holdings are counted after a collection, so garbage an innocent thread
 * churned through never makes it look like the culprit.
 *
 * <p>A growth of at least 1/{@link #PLACEMENT_SHARE} of the heap must also have room where the collector
 * must put it ({@link Platform#placementRoom}). One that a collection proved has none, or that no
 * collection could give any ({@link Platform#placementCeiling}), is refused whoever asks: the alternative
 * is an OutOfMemoryError in the same thread, after the collector has tried hard.
 *
 * <p>Where the collector pins arrays ({@link Platform#pinnedFrom}: G1 before JDK 21), the largest holder's pinned
 * growths are judged by where they must go as well once the heap is half full, and a growth so judged holds the
 * {@link PlacementGate} from that look until its array exists, so that no other thread's pinned array takes the
 * run of regions it was judged to fit in.
 *
 * <p>Collections are forced through the {@link Reclaimer}, which holds their budget and their verdicts.
 *
 * <p>Reading the heap in use costs two calls into the VM, more than the rest of a grant. A reading that
 * finds plenty of room therefore leaves {@link Slack}: bytes that later growths may take without a reading,
 * each thread a share at a time, so that most growths spend it without an atomic instruction.
 */
final class HeapReserve {
    /** {@link #check}'s answer when the growth may go ahead. */
    static final long GRANTED = -1;
    /** Growths of at least 1/16 of the heap are checked against where the collector must place them. */
    private static final long PLACEMENT_SHARE = 16;

    private final Platform platform;
    private final Reclaimer reclaimer;
    private final long maxHeap;
    private final PlacementGate gate = new PlacementGate();
    private volatile Slack slack = Slack.NONE;

    HeapReserve(Platform platform, Reclaimer reclaimer, long maxHeap) {
        this.platform = platform;
        this.reclaimer = reclaimer;
        this.maxHeap = maxHeap;
    }

    /**
     * Whether {@code owner}'s growth from {@code current} to {@code requested} bytes leaves {@code reserve}
     * bytes of the heap free. A growth the collector will pin first waits while another thread's placement
     * is being judged and allocated; when its own placement is judged and it is granted, this thread holds
     * the {@link PlacementGate}, and when it is granted without being judged it has passed the gate, either
     * way until {@link #placementDone}.
     *
     * @return {@link #GRANTED}, or the heap in use that a refusal reports
     */
    long check(ThreadState ts, long current, long requested, long reserve) {
        if (requested < platform.pinnedFrom()) {
            return decide(ts, current, requested, reserve, false);
        }
        gate.awaitOpen();
        long used = decide(ts, current, requested, reserve, true);
        if (used != GRANTED) {
            gate.exit();
        } else if (gate.heldByCurrentThread()) {
            ts.placementOwed = PlacementGate.HOLDS;
        } else {
            gate.pass(ts);
            ts.placementOwed = PlacementGate.PASSED;
        }
        return used;
    }

    /**
     * What the growth just granted on this thread owes the placement gate once allocated
     * ({@link PlacementGate#HOLDS}, {@link PlacementGate#PASSED} or {@link PlacementGate#NOTHING}); asked once
     * per grant, after {@link #check} if it was asked.
     */
    static byte placementOwed(ThreadState ts) {
        byte owed = ts.placementOwed;
        ts.placementOwed = PlacementGate.NOTHING;
        return owed;
    }

    /** Whether the calling thread was granted a growth whose placement it holds the gate for. */
    boolean holdsPlacementGate() {
        return gate.heldByCurrentThread();
    }

    /** The calling thread's granted growth is allocated, or will not be: other threads' pinned growths go on. */
    void placementDone(byte owed) {
        if (owed == PlacementGate.HOLDS) {
            gate.exit();
        } else if (owed == PlacementGate.PASSED) {
            gate.landed(ThreadState.current());
        }
    }

    private long decide(ThreadState ts, long current, long requested, long reserve, boolean pinned) {
        Account owner = ts.owner;
        boolean large = requested >= maxHeap / PLACEMENT_SHARE;
        // Where arrays are pinned, a thread holding a large share of the heap in them runs out of runs of free
        // regions long before the heap runs out of room: its pinned growths (4 MiB arrays, five 1 MiB regions
        // each, held by the dozen) are judged by where they must go too, and never taken from the slack.
        boolean suspect = pinned && !large && holdsALargeShare(owner);
        if (!large && !suspect && slack.take(ts, requested, reserve)) {
            return GRANTED;
        }
        long ceiling = large ? platform.placementCeiling(requested, current) : Long.MAX_VALUE;
        if (ceiling < requested) {
            // No collection could place it, and room there now proves nothing: any collection before the
            // allocation (other threads' allocations bring one at any moment) moves the replaced array in first.
            // Granted on the room it saw, Serial's 64 -> 128 MiB under -Xmx256m ended 5 of 40 soak runs under
            // -XX:+ExitOnOutOfMemoryError: a young collection between the grant and the allocation had promoted
            // the 64 MiB array (the crash report: 64 MiB in the stream, 72 of 171 MiB of tenured in use).
            slack = Slack.NONE;
            return inUseBeside(ceiling);
        }
        long capacity = platform.heapCapacity();
        long room = capacity - reserve; // what live data may fill
        long used = reclaimer.heapUsed();
        // A heap at most half full has runs long enough for any pinned growth but a large one.
        boolean judged = large || suspect && used + requested > capacity / 2;
        boolean placeable = !judged || placement(ts, pinned, requested, current, used, false) >= requested;
        if (placeable && used + requested <= room) {
            long headroom = room - used - requested;
            slack = new Slack(reserve, Math.min(headroom / 2, maxHeap / PLACEMENT_SHARE));
            return GRANTED; // fits even counting the garbage
        }
        slack = Slack.NONE;
        Reclaimer.Verdict v = reclaimer.verdict();
        if (placeable && v != null && platform.concurrentCollector() && v.isRecent()
                && refusingLive(v, owner, requested, room) < 0) {
            // ZGC and Shenandoah let the heap fill with garbage before they collect, so the heap in use says
            // little, and two forced cycles cost much (and promote what they find): a recent collection's
            // figure plus what the suspect took since decides instead.
            return GRANTED;
        }
        // Every charge linked by now, the replaced buffer's among them, was allocated before a collection whose
        // verdict counted at least as many links began: where a large growth must go is known only from such a
        // collection (an older one counts neither that buffer nor what was promoted since, and with the budget
        // spent let a 128 MiB growth on Serial through into an OutOfMemoryError).
        long linked = placeable ? 0 : reclaimer.links();
        boolean collected = false;
        if (v == null || !placeable || v.incriminates(owner, requested)) {
            gate.exit(); // held through a collection, it would stop every pinned growth for as long
            collected = true;
            reclaimer.reclaim(reclaimer.epoch(), false); // the first verdict, or a fresh one about the suspect
            if (!placeable && !reclaimer.collectedAfter(linked)) {
                reclaimer.reclaim(reclaimer.epoch(), true); // one more, beyond the budget, rate-limited
            }
            v = reclaimer.verdict();
        }
        if (!placeable && !pinned) {
            // Without such a collection, the heap as it is now, garbage included, is all there is to go by.
            long placement = platform.placementRoom(requested, current, reclaimer.heapUsed(),
                    reclaimer.collectedAfter(linked));
            if (placement < requested) {
                return inUseBeside(placement);
            }
        }
        long live = refusingLive(v, owner, requested, room);
        if (live >= 0 && live != v.liveHeap) {
            // Only what the suspect took since that collection tips it, and that may be garbage: refusing on
            // garbage is a false refusal, so a collection confirms it (beyond the budget, rate-limited).
            gate.exit();
            collected = true;
            reclaimer.reclaim(v.epoch, true);
            v = reclaimer.verdict();
            live = refusingLive(v, owner, requested, room);
        }
        if (live >= 0) {
            return live + maxHeap - capacity;
        }
        if (pinned && judged && (collected || !placeable)) {
            long placement = placedAfterCollection(ts, requested, current, linked);
            if (placement < requested) {
                return inUseBeside(placement);
            }
        }
        return GRANTED;
    }

    /**
     * Where a pinned growth can go after the collections just forced, judged with the gate held from here
     * to the allocation. Other threads' pinned arrays that were alive at that collection split the runs it
     * left, most of them buffers in flight for a few milliseconds; with the gate held none can take their
     * place, so one more collection, rate-limited, shows what G1 itself would find when it tried. Measured
     * (no-false-refusals program, G1 / JDK 17, 40 growths of 205 MiB beside 102 MiB each way): without it one
     * refusal that the same bytes allocated unguarded right after contradicted, with it none.
     */
    private long placedAfterCollection(ThreadState ts, long requested, long current, long linked) {
        long placement = placement(ts, true, requested, current, reclaimer.heapUsed(),
                reclaimer.collectedAfter(linked));
        if (placement < requested) {
            gate.enter(ts);
            reclaimer.reclaim(reclaimer.epoch(), true);
            placement = placement(ts, true, requested, current, reclaimer.heapUsed(),
                    reclaimer.collectedAfter(linked));
        }
        return placement;
    }

    /**
     * {@link Platform#placementRoom}; for a pinned growth read with the gate held, and left held when there
     * is room, so that what was judged free stays free until the array is there.
     */
    private long placement(ThreadState ts, boolean pinned, long requested, long current, long used,
                           boolean afterCollection) {
        if (pinned) {
            gate.enter(ts);
        }
        long room = platform.placementRoom(requested, current, used, afterCollection);
        if (pinned && room < requested) {
            gate.exit();
        }
        return room;
    }

    /**
     * Whether the last collection found {@code owner} holding the most, and at least a large growth's share of
     * the heap. Not every thread whose growth exceeds what that one held: a verdict from before the heap filled
     * can name a holder of a MiB or two, and every 2 MiB buffer would then be judged, each reading the region
     * map with the gate held (a soak run's innocents served 321 requests in 4 s instead of about 3,000).
     */
    private boolean holdsALargeShare(Account owner) {
        Reclaimer.Verdict v = reclaimer.verdict();
        return v != null && v.largestOwner == owner && v.largestBytes >= maxHeap / PLACEMENT_SHARE;
    }

    /** The heap in use a refusal reports when no more than {@code room} bytes could take the growth. */
    private long inUseBeside(long room) {
        return Math.max(0, maxHeap - room);
    }

    /**
     * The live heap on which {@code v} refuses this growth ({@code room} is what live data may fill), or -1
     * when it grants it: there is no verdict, the asker is not its suspect, or the growth fits.
     */
    private static long refusingLive(Reclaimer.Verdict v, Account owner, long requested, long room) {
        if (v == null || !v.incriminates(owner, requested)) {
            return -1;
        }
        long live = v.liveHeapFor(owner);
        return live + requested <= room ? -1 : live;
    }

    /**
     * What growths may still take without reading the heap, under the reserve it was measured against: half
     * the headroom the last reading found beyond the reserve, and at most 1/16 of the heap. The reading is
     * stale, so it only ever decides that no check is needed, never a refusal; every growth spends it, so
     * what other threads allocate untracked meanwhile has the other half of the headroom before a reading
     * is taken again. A full heap leaves none.
     *
     * <p>A thread takes a share of it at a time ({@link ThreadState#slack}) and spends that with plain
     * writes: the atomic add was most of what the reserve cost a grant. Shares are taken atomically, so
     * what all threads spend without a reading never exceeds the slack; a share is good only while its
     * slack is the current one, and a new reading (a full heap leaves {@link #NONE}) ends every share at once.
     */
    static final class Slack extends AtomicLong {
        /** No slack, under no reserve ever in force: a full heap leaves this, allocating nothing. */
        static final Slack NONE = new Slack(-1, 0);
        /** A thread takes this part of what is left at a time (or the growth, if larger). */
        private static final int SHARE = 16;

        private final long reserve;

        Slack(long reserve, long bytes) {
            super(bytes);
            this.reserve = reserve;
        }

        boolean take(ThreadState ts, long bytes, long reserveNow) {
            if (reserve != reserveNow) {
                return false;
            }
            if (ts.slack == this && ts.slackBytes >= bytes) {
                ts.slackBytes -= bytes;
                return true;
            }
            for (long left = get(); left >= bytes; left = get()) {
                long share = Math.max(bytes, left / SHARE);
                if (compareAndSet(left, left - share)) {
                    ts.slack = this; // what remained of an earlier share is too little for this growth: dropped
                    ts.slackBytes = share - bytes;
                    return true;
                }
            }
            return false;
        }
    }
}

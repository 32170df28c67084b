package io.heapguard.ledger;

import io.heapguard.QuotaExceededException;
import io.heapguard.testing.FreshThread;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.heapguard.ledger.GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM;
import static io.heapguard.testing.TestConfigs.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the collector pins arrays (G1 before JDK 21), a growth whose placement the heap reserve judged holds
 * the placement gate from that look until its array exists: other threads' pinned growths wait, smaller ones
 * never do, the look waits for the pinned arrays granted before it, and a refusal, an abandoned allocation or a
 * bound one lets the gate go.
 */
class PlacementGateTest {
    private static final long MIB = 1024 * 1024;
    private static final long MAX = Runtime.getRuntime().maxMemory();
    private static final long LARGE = MAX / 8;

    /** Pins arrays of a MiB or more, places a large one in {@code room} bytes, never collects. */
    private static final class Pinning implements Platform {
        final AtomicInteger placementsAsked = new AtomicInteger();
        private final long room;

        Pinning(long room) {
            this.room = room;
        }

        @Override
        public boolean waitForReferenceProcessing() {
            return false;
        }

        @Override
        public boolean collect() {
            return true;
        }

        @Override
        public long pinnedFrom() {
            return MIB;
        }

        @Override
        public long placementRoom(long requested, long replaced, long heapInUse, boolean afterCollection) {
            placementsAsked.incrementAndGet();
            return room;
        }
    }

    private static Ledger ledger(Platform platform) {
        return Ledger.standalone(config().heapReserve(MIB).build(), platform);
    }

    @Test
    void otherThreadsPinnedGrowthsWaitUntilTheJudgedArrayIsBound() throws Throwable {
        FreshThread.run("placement", () -> {
            Pinning platform = new Pinning(Long.MAX_VALUE);
            Ledger ledger = ledger(platform);
            Reservation large = ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, LARGE / 2, LARGE);
            assertEquals(1, platform.placementsAsked.get());
            assertTrue(ledger.holdsPlacementGate());

            CountDownLatch pinnedDone = new CountDownLatch(1);
            Thread pinned = new Thread(() -> {
                ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, MIB, 2 * MIB).abandon();
                pinnedDone.countDown();
            }, "pinned");
            pinned.setDaemon(true);
            pinned.start();
            awaitWaiting(pinned);
            assertEquals(1, pinnedDone.getCount(), "a pinned growth waits while the gate is held");

            Thread small = new Thread(() -> ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, MIB / 4, MIB / 2).abandon(),
                    "below half a region");
            small.start();
            small.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(small.isAlive(), "a growth the collector can move never waits");

            large.bindOwner(new Object());
            assertFalse(ledger.holdsPlacementGate());
            assertTrue(pinnedDone.await(30, TimeUnit.SECONDS), "the bound array lets the gate go");
        });
    }

    @Test
    void aJudgedGrowthLooksOnlyOnceThePinnedArraysGrantedBeforeItExist() throws Throwable {
        FreshThread.run("placement", () -> {
            Pinning platform = new Pinning(Long.MAX_VALUE);
            Ledger ledger = ledger(platform);
            CountDownLatch granted = new CountDownLatch(1);
            CountDownLatch allocate = new CountDownLatch(1);
            Thread pinned = new Thread(() -> {
                Reservation r = ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, MIB, 2 * MIB);
                granted.countDown();
                awaitQuietly(allocate);
                r.bindOwner(new Object());
            }, "pinned, granted without a look");
            pinned.setDaemon(true);
            pinned.start();
            assertTrue(granted.await(30, TimeUnit.SECONDS));
            assertEquals(0, platform.placementsAsked.get());

            Thread judged = new Thread(() -> ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, LARGE / 2, LARGE).abandon(),
                    "judged");
            judged.setDaemon(true);
            judged.start();
            awaitWaiting(judged);
            assertEquals(0, platform.placementsAsked.get(),
                    "no look at the regions while a pinned array granted before it may still land there");

            allocate.countDown();
            judged.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(judged.isAlive());
            assertEquals(1, platform.placementsAsked.get(), "the array landed: the judged growth looks");
        });
    }

    @Test
    void anAbandonedAllocationLetsTheGateGo() throws Throwable {
        FreshThread.run("placement", () -> {
            Ledger ledger = ledger(new Pinning(Long.MAX_VALUE));
            Reservation large = ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, LARGE / 2, LARGE);
            assertTrue(ledger.holdsPlacementGate());
            large.abandon();
            assertFalse(ledger.holdsPlacementGate());
        });
    }

    @Test
    void aRefusalLeavesTheGateOpen() throws Throwable {
        FreshThread.run("placement", () -> {
            Ledger ledger = ledger(new Pinning(LARGE - 1));
            QuotaExceededException e = assertThrows(QuotaExceededException.class,
                    () -> ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, LARGE / 2, LARGE));
            assertEquals("heap-reserve", e.rule());
            assertFalse(ledger.holdsPlacementGate(), "nothing will be allocated: nobody need wait");
        });
    }

    @Test
    void aGrowthBelowTheLargeShareIsNotJudgedWhileTheHeapHasRoom() throws Throwable {
        FreshThread.run("placement", () -> {
            Pinning platform = new Pinning(0);
            Ledger ledger = ledger(platform);
            ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, MIB, 2 * MIB).abandon();
            assertEquals(0, platform.placementsAsked.get(), "no collection yet: no largest holder to judge");
            assertFalse(ledger.holdsPlacementGate());
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Returns once {@code t} waits (on the gate's monitor), failing after 30 s. */
    private static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            assertTrue(t.isAlive() && System.nanoTime() < deadline, "the thread never waited: " + t.getState());
            Thread.onSpinWait();
        }
    }
}

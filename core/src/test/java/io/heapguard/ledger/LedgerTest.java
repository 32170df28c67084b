package io.heapguard.ledger;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.testing.FreshThread;
import io.heapguard.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.heapguard.ledger.GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM;
import static io.heapguard.ledger.GrowthPoint.BYTE_BUFFER_ALLOCATE;
import static io.heapguard.ledger.GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT;
import static io.heapguard.testing.TestConfigs.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LedgerTest {
    private static final long MIB = 1 << 20;

    @Test
    void belowTrackMinNothingIsChargedOrChecked() {
        Ledger ledger = Ledger.standalone(config().trackMin(64 * 1024).globalLimit(10).build(), TestConfigs.NO_COLLECTION);
        assertNull(ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 0, 64 * 1024 - 1));
        assertEquals(0, ledger.global().used());
    }

    @Test
    void maxBufferRefusesEvenBelowTrackMinAndNamesTheRule() {
        Ledger ledger = Ledger.standalone(config().trackMin(MIB).rule("small", "ByteArrayOutputStream", "", 1000, -1).build(),
                TestConfigs.NO_COLLECTION);
        assertNull(ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 500, 1000), "exactly max-buffer is allowed");
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 1000, 2000));
        assertEquals("small", e.rule());
        assertTrue(e.perBuffer());
        assertEquals(2000, e.requestedBytes());
        assertEquals(1000, e.limitBytes());
        assertEquals(1000, e.usedBytes());
        assertEquals("ByteArrayOutputStream", e.target());
        assertTrue(e.getMessage().contains("rule 'small' allows at most 1000 B per buffer"), e.getMessage());
        assertEquals(1, ledger.control().ruleAccount("small").denials());
        assertNull(ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 5000), "other targets are not covered");
    }

    @Test
    void aRuleLimitRefusesWhatWouldExceedItAndBacksOutNothingLeft() {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", -1, 100).build(), TestConfigs.NO_COLLECTION);
        Reservation a = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 60);
        assertNotNull(a);
        assertEquals(60, ledger.control().ruleAccount("r").used());
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 41));
        assertEquals("r", e.rule());
        assertFalse(e.perBuffer());
        assertEquals(60, e.usedBytes());
        assertEquals(60, ledger.control().ruleAccount("r").used(), "a refusal charges nothing");
        assertEquals(60, ledger.global().used());
        a.abandon();
        assertEquals(0, ledger.control().ruleAccount("r").used());
        assertEquals(0, ledger.global().used());
        assertEquals(60, ledger.control().ruleAccount("r").peak());
    }

    @Test
    void aLaterCheckBacksOutTheEarlierCharges() {
        Ledger ledger = Ledger.standalone(config().globalLimit(100).rule("r", "*", "", -1, 1000).build(),
                TestConfigs.NO_COLLECTION);
        Reservation first = ledger.reserve(BYTE_BUFFER_ALLOCATE_DIRECT, 0, 80);
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE_DIRECT, 0, 30));
        assertEquals("global", e.rule());
        assertEquals(80, ledger.control().ruleAccount("r").used(), "the rule's charge for the refused growth was backed out");
        assertEquals(80, ledger.global().used());
        first.abandon();
    }

    @Test
    void anAccountingOnlyRuleCountsAndNeverRefusesWhileTheGlobalLimitStillApplies() {
        Ledger ledger = Ledger.standalone(config().globalLimit(10 * MIB).rule("baos", "ByteArrayOutputStream", "", -1, -1)
                .build(), TestConfigs.NO_COLLECTION);
        Reservation a = ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 0, 6 * MIB);
        Reservation b = ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 0, 3 * MIB);
        Account baos = ledger.control().ruleAccount("baos");
        assertEquals(9 * MIB, baos.used());
        assertEquals(2, baos.grants());
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 0, 2 * MIB));
        assertEquals("global", e.rule(), "the rule itself refuses nothing; the global limit does");
        assertEquals(0, baos.denials());
        a.abandon();
        b.abandon();
        assertEquals(0, baos.used());
        assertTrue(baos.peak() >= 9 * MIB);
    }

    @Test
    void monitorModeNeverRefusesButCountsAndCharges() {
        Ledger ledger = Ledger.standalone(config().mode(Mode.MONITOR).globalLimit(100).rule("r", "*", "", 10, -1).build(),
                TestConfigs.NO_COLLECTION);
        Reservation r = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 500);
        assertNotNull(r);
        assertEquals(2, ledger.denials(), "max-buffer and global would both have refused");
        assertEquals(500, ledger.global().used());
        r.abandon();
    }

    @Test
    void theChargeIsCreditedWhenItsObjectIsCollected() throws Exception {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", -1, 8 * MIB).build(), TestConfigs.JDK_PLATFORM);
        Reservation r = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB);
        byte[] buffer = new byte[(int) (6 * MIB)];
        r.bind(buffer);
        assertEquals(6 * MIB, ledger.control().ruleAccount("r").used());
        assertEquals(1, ledger.liveCharges());
        buffer = null;
        // The next growth that would not fit collects, waits for the references and is granted.
        Reservation again = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB);
        assertNotNull(again);
        assertEquals(6 * MIB, ledger.control().ruleAccount("r").used());
        assertEquals(0, ledger.liveCharges());
        assertTrue(ledger.forcedCollections() >= 1);
        again.abandon();
    }

    @Test
    void anOwnersReplacedChargeCountsUntilTheNextCollectionAndItsCurrentOneUntilTheOwnerGoes() throws Exception {
        Ledger ledger = Ledger.standalone(config().build(), TestConfigs.JDK_PLATFORM);
        Object owner = new Object();
        ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 0, MIB).bindOwner(owner);
        ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, MIB, 2 * MIB).bindOwner(owner);
        assertEquals(3 * MIB, ledger.global().used(), "the replaced array is still there until a collection");
        collectAndDrain(ledger);
        assertEquals(2 * MIB, ledger.global().used(), "a collection has run: the replaced array is gone");
        assertEquals(1, ledger.liveCharges());
        ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 2 * MIB, 4 * MIB).bindOwner(owner);
        assertEquals(6 * MIB, ledger.global().used());
        owner = null;
        collectAndDrain(ledger);
        assertEquals(0, ledger.global().used(), "the owner and everything it held are gone");
        assertEquals(0, ledger.liveCharges());
    }

    private static void collectAndDrain(Ledger ledger) throws InterruptedException {
        System.gc();
        while (TestConfigs.JDK_PLATFORM.waitForReferenceProcessing()) {
            ledger.drain();
        }
        ledger.drain();
    }

    @Test
    void liveDataThatDoesNotFitIsRefusedAfterACollection() {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", -1, 8 * MIB).build(), TestConfigs.JDK_PLATFORM);
        byte[] kept = new byte[(int) (6 * MIB)];
        ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB).bind(kept);
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB));
        assertEquals("r", e.rule());
        assertEquals(6 * MIB, ledger.control().ruleAccount("r").used());
        assertEquals(6 * MIB, kept.length);
    }

    @Test
    void topConsumersNameTheCallSitesHoldingTheMost() {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", -1, 5 * MIB).build(), TestConfigs.NO_COLLECTION);
        List<Object> kept = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] b = new byte[(int) MIB];
            ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB).bind(b);
            kept.add(b);
        }
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 2 * MIB));
        assertFalse(e.topConsumers().isEmpty());
        assertTrue(e.topConsumers().get(0).startsWith("4.0 MiB at "), e.topConsumers().toString());
        assertTrue(e.getMessage().contains("top consumers: 4.0 MiB at "), e.getMessage());
        assertEquals(4, kept.size());
    }

    @Test
    void theRefusalsTraceStartsAtTheGrowthPointAndItsCallSiteIsOutsideHeapguard() {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", 10, -1).build(), TestConfigs.NO_COLLECTION);
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 11));
        assertFalse(e.getStackTrace()[0].getClassName().startsWith("io.heapguard.ledger."),
                e.getStackTrace()[0].toString());
        assertNotNull(e.callSite());
        assertFalse(e.callSite().getClassName().startsWith("io.heapguard.ledger."));
    }

    @Test
    void liveLimitChangesApplyAtOnceAndBadWritesChangeNothing() {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", 100, -1).build(), TestConfigs.NO_COLLECTION);
        assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 200));
        ledger.control().setRuleMaxBufferBytes("r", 1000);
        assertNotNull(ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 200));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ledger.control().setRuleMaxBufferBytes("r", -2));
        assertTrue(bad.getMessage().contains("-2"), bad.getMessage());
        assertEquals(1000, ledger.control().ruleMaxBufferBytes("r"));
        assertThrows(IllegalArgumentException.class, () -> ledger.control().setRuleLimitBytes("nope", 5));
        ledger.control().setRuleMaxBufferBytes("r", -1);
        assertEquals(-1, ledger.control().ruleMaxBufferBytes("r"));
        ledger.control().setGlobalLimitBytes(50);
        assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 51));
        assertThrows(IllegalArgumentException.class, () -> ledger.control().setGlobalLimitBytes(-7));
        assertEquals(50, ledger.control().globalLimitBytes());
    }

    @Test
    void offModeDecidesNothing() {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", 1, 1).build(), TestConfigs.NO_COLLECTION);
        ledger.control().setMode(Mode.OFF);
        assertNull(ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 1000));
        assertEquals(0, ledger.denials());
    }

    @Test
    void reloadKeepsWhatSurvivingRulesHoldAndReportsChanges() {
        Ledger ledger = Ledger.standalone(config().rule("keep", "*", "", -1, 100).rule("drop", "*", "", -1, 100).build(),
                TestConfigs.NO_COLLECTION);
        Reservation r = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 40);
        List<List<String>> changes = ledger.control().reload(config().rule("keep", "*", "", -1, 50).rule("new", "*", "", -1, 10).build());
        assertEquals(List.of("new"), changes.get(0));
        assertEquals(List.of("drop"), changes.get(1));
        assertEquals(40, ledger.control().ruleAccount("keep").used());
        assertNull(ledger.control().ruleAccount("drop"));
        assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 11));
        r.abandon();
    }

    @Test
    void theHeapReserveRefusesTheThreadHoldingTheMostButNotTheOthers() throws Exception {
        long everything = Runtime.getRuntime().maxMemory();
        Ledger ledger = Ledger.standalone(config().build(), TestConfigs.NO_COLLECTION);
        // Another thread takes the most and keeps it.
        List<Object> hogs = new ArrayList<>();
        Thread hog = new Thread(() -> {
            byte[] b = new byte[(int) (8 * MIB)];
            ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 8 * MIB).bind(b);
            hogs.add(b);
        });
        hog.start();
        hog.join();
        ledger.control().setHeapReserveBytes(everything); // from now on every tracked growth finds the heap "full"
        Reservation innocent = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB);
        assertNotNull(innocent, "a thread holding little is not refused while another holds the most");
        innocent.abandon();
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 16 * MIB));
        assertEquals("heap-reserve", e.rule());
        assertEquals(1, ledger.heapReserveDenials());
        assertEquals(1, hogs.size());
    }

    /** A platform that never collects and places a large array only in {@code room} bytes. */
    private static Platform placing(long room) {
        return new Placing(room, room, Long.MAX_VALUE);
    }

    /**
     * A platform that never collects but counts the requests, and places a large array in {@code roomNow} bytes
     * of the heap as it is, or {@code roomAfterCollection} as the last collection left it, and never in more
     * than {@code ceiling}.
     */
    private static final class Placing implements Platform {
        final AtomicInteger collections = new AtomicInteger();
        private final long roomNow;
        private final long roomAfterCollection;
        private final long ceiling;

        Placing(long roomNow, long roomAfterCollection, long ceiling) {
            this.roomNow = roomNow;
            this.roomAfterCollection = roomAfterCollection;
            this.ceiling = ceiling;
        }

        @Override
        public boolean waitForReferenceProcessing() {
            return false;
        }

        @Override
        public boolean collect() {
            collections.incrementAndGet();
            return true;
        }

        @Override
        public long placementRoom(long requested, long replaced, long heapInUse, boolean afterCollection) {
            return afterCollection ? roomAfterCollection : roomNow;
        }

        @Override
        public long placementCeiling(long requested, long replaced) {
            return ceiling;
        }
    }

    @Test
    void aLargeGrowthWithNoRoomWhereTheCollectorMustPutItIsRefusedWhoeverAsks() throws Exception {
        long max = Runtime.getRuntime().maxMemory();
        long large = max / 8;
        Ledger roomy = Ledger.standalone(config().heapReserve(max / 10).build(), placing(large));
        roomy.reserve(BYTE_ARRAY_OUTPUT_STREAM, large / 2, large).abandon();

        Ledger cramped = Ledger.standalone(config().heapReserve(max / 10).build(), placing(large - 1));
        Object hogsBuffer = new Object();
        Thread hog = new Thread(() -> cramped.reserve(BYTE_BUFFER_ALLOCATE, 0, large / 2).bindOwner(hogsBuffer));
        hog.start();
        hog.join();
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> cramped.reserve(BYTE_ARRAY_OUTPUT_STREAM, large / 2, large),
                "refused though another thread holds more: it could not be allocated anyway");
        assertEquals("heap-reserve", e.rule());
        assertEquals(max - (large - 1), e.usedBytes());
        assertEquals(large / 2, cramped.global().used(), "the refusal charged nothing");
        assertNotNull(cramped.reserve(BYTE_ARRAY_OUTPUT_STREAM, 0, max / 17 - 1),
                "a growth below a sixteenth of the heap is not asked where it goes");
        assertNotNull(hogsBuffer);
    }

    @Test
    void aLargeGrowthThatNoCollectionCouldPlaceIsRefusedWithoutOne() throws Throwable {
        onFreshThread(() -> {
            long max = Runtime.getRuntime().maxMemory();
            long large = max / 4;
            Placing never = new Placing(large - 1, large - 1, large - 1);
            Ledger ledger = withOneCollection(config().heapReserve(MIB).build(), never);
            QuotaExceededException e = assertThrows(QuotaExceededException.class,
                    () -> ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, large / 2, large));
            assertEquals("heap-reserve", e.rule());
            assertEquals(max - (large - 1), e.usedBytes());
            assertEquals(0, never.collections.get(), "no collection could have placed it");

            Placing roomNow = new Placing(max, max, large - 1);
            Ledger placeableNow = withOneCollection(config().heapReserve(MIB).build(), roomNow);
            e = assertThrows(QuotaExceededException.class,
                    () -> placeableNow.reserve(BYTE_ARRAY_OUTPUT_STREAM, large / 2, large));
            assertEquals("heap-reserve", e.rule());
            assertEquals(0, roomNow.collections.get(),
                    "room now proves nothing: a collection before the allocation moves the replaced array in first");

            Placing collectionMayHelp = new Placing(large - 1, large, large);
            Ledger other = withOneCollection(config().heapReserve(MIB).build(), collectionMayHelp);
            assertNotNull(other.reserve(BYTE_ARRAY_OUTPUT_STREAM, large / 2, large));
            assertEquals(1, collectionMayHelp.collections.get(), "the ceiling allows it: a collection decides");
        });
    }

    @Test
    void whereALargeGrowthGoesIsDecidedOnACollectionAfterTheBufferItReplacesExisted() throws Throwable {
        onFreshThread(() -> {
            long max = Runtime.getRuntime().maxMemory();
            long large = max / 4;
            // The old generation as it is now has no room for half of `large`; as the last collection left it,
            // plenty: a figure that counts neither the buffer being replaced, allocated since, nor what was
            // promoted since.
            Placing oldGeneration = new Placing(large / 2 - 1, max, Long.MAX_VALUE);
            Ledger ledger = withOneCollection(config().heapReserve(0).build(), oldGeneration);
            ledger.control().setHeapReserveBytes(MIB);
            Object first = new Object();
            ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, large / 4, large / 2).bindOwner(first);
            assertEquals(1, oldGeneration.collections.get(), "the budget paid for that one");

            Object second = new Object(); // allocated after that collection: the growth below replaces it
            ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 0, max / 32).bindOwner(second); // too small to ask where
            assertEquals(1, oldGeneration.collections.get());
            assertNotNull(ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, max / 32, large));
            assertEquals(2, oldGeneration.collections.get(), "the budget is spent, yet the old figure may not decide");
            assertNotNull(first);
            assertNotNull(second);
        });
    }

    /**
     * A collector that reports {@code live} as the live heap and {@code capacity} as what it can fill, and
     * collects for real so that charges of garbage are credited.
     */
    private static final class ReportingPlatform implements Platform {
        volatile long live;
        /** Whether the JVM runs the collections asked for; when not, it has no figure either. */
        volatile boolean collects = true;
        final long capacity;
        final boolean concurrent;

        ReportingPlatform(long capacity) {
            this(capacity, false);
        }

        ReportingPlatform(long capacity, boolean concurrent) {
            this.capacity = capacity;
            this.concurrent = concurrent;
        }

        @Override
        public boolean concurrentCollector() {
            return concurrent;
        }

        @Override
        public boolean waitForReferenceProcessing() throws InterruptedException {
            return TestConfigs.JDK_PLATFORM.waitForReferenceProcessing();
        }

        @Override
        public boolean collect() {
            if (collects) {
                System.gc();
            }
            return collects;
        }

        @Override
        public long liveHeapAfterCollection() {
            return collects ? live : -1;
        }

        @Override
        public long heapCapacity() {
            return capacity;
        }
    }

    /** Runs on a thread of its own: a thread's account outlives one ledger, and the heap reserve reads it. */
    private static void onFreshThread(Executable body) throws Throwable {
        FreshThread.run("ledger-test", body);
    }

    /** A ledger whose budget pays for one forced collection, then is spent for good. */
    private static Ledger withOneCollection(HeapGuardConfig config, Platform platform) {
        return Ledger.standalone(config, platform, 0, 1);
    }

    @Test
    void theHeapReserveWeighsTheCollectorsLiveFigureAgainstWhatItCanFill() throws Throwable {
        onFreshThread(() -> {
            long max = Runtime.getRuntime().maxMemory();
            long capacity = max - 8 * MIB; // a survivor space that holds no large array
            ReportingPlatform platform = new ReportingPlatform(capacity);
            // A window of 1 MiB between the reserve and the capacity: the heap in use now (never nothing) leaves
            // no room, so only the collector's figure can grant.
            Ledger ledger = Ledger.standalone(config().heapReserve(capacity - MIB).build(), platform);
            Reservation fits = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB);
            assertNotNull(fits, "nothing live by the collector's figure: 1 MiB fits exactly");
            fits.abandon();
            platform.live = 1;
            QuotaExceededException e = assertThrows(QuotaExceededException.class,
                    () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB));
            assertEquals("heap-reserve", e.rule());
            assertEquals(1 + max - capacity, e.usedBytes(), "in use or unusable: the live byte and the survivor space");
        });
    }

    @Test
    void aCollectionTheJvmSkipsLeavesNoVerdictMadeOfGarbage() throws Throwable {
        onFreshThread(() -> {
            long max = Runtime.getRuntime().maxMemory();
            ReportingPlatform platform = new ReportingPlatform(max);
            platform.collects = false; // JDK 17 while another thread is inside Deflater: System.gc() does nothing
            // A 1 MiB window: the heap in use now, garbage included, never leaves room for 1 MiB.
            Ledger ledger = Ledger.standalone(config().heapReserve(max - MIB).build(), platform);
            Reservation granted = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB);
            assertNotNull(granted, "no collection ran, so nothing says the heap is full of live data");
            granted.abandon();
            assertEquals(0, ledger.forcedCollections());
            assertEquals(1, ledger.skippedCollections());

            platform.collects = true;
            platform.live = 1;
            QuotaExceededException e = assertThrows(QuotaExceededException.class,
                    () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB), "a collection that runs decides");
            assertEquals("heap-reserve", e.rule());
            assertEquals(1, ledger.forcedCollections());

            platform.collects = false;
            assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB),
                    "a skipped collection leaves the last verdict standing");
            assertEquals(1, ledger.forcedCollections());
        });
    }

    /**
     * The Serial / JDK 17 soak's one innocent refused in about 120 runs: a forced collection began while the hog's
     * buffer was growing; the hog then bound its new array, so its charge got a serial after the collection began
     * (left out of the verdict) and retired the old one, which the drain after the collection credited. The
     * verdict found the hog holding nothing, with its array in the live heap, and judged an innocent's small
     * growth as the suspect's.
     */
    @Test
    void aHogWhoseBufferGrowsWhileACollectionRunsIsStillTheSuspect() throws Throwable {
        onFreshThread(() -> {
            long max = Runtime.getRuntime().maxMemory();
            CountDownLatch granted = new CountDownLatch(1);
            CountDownLatch bindNow = new CountDownLatch(1);
            CountDownLatch bound = new CountDownLatch(1);
            CountDownLatch growAgain = new CountDownLatch(1);
            AtomicReference<Throwable> hogsNextGrowth = new AtomicReference<>();
            Object hogsStream = new Object();
            AtomicInteger collections = new AtomicInteger();
            Platform platform = new Platform() {
                @Override
                public boolean waitForReferenceProcessing() throws InterruptedException {
                    return TestConfigs.JDK_PLATFORM.waitForReferenceProcessing();
                }

                @Override
                public boolean collect() {
                    if (collections.getAndIncrement() == 0) {
                        bindNow.countDown(); // the hog's copy ends while the collection runs
                        await(bound);
                    }
                    System.gc();
                    return true;
                }

                @Override
                public long liveHeapAfterCollection() {
                    return 2 * MIB - 256 * 1024;
                }
            };
            Ledger ledger = Ledger.standalone(config().build(), platform);
            Thread hog = new Thread(() -> {
                ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 16 * MIB, 32 * MIB).bindOwner(hogsStream);
                Reservation doubling = ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 32 * MIB, 64 * MIB);
                granted.countDown();
                await(bindNow);
                doubling.bindOwner(hogsStream);
                bound.countDown();
                await(growAgain);
                try {
                    ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 64 * MIB, 128 * MIB);
                } catch (Throwable t) {
                    hogsNextGrowth.set(t);
                }
            }, "hog");
            hog.start();
            await(granted);
            // 2 MiB that live data may fill (the heap in use now never fits in it); 256 KiB free by the verdict.
            ledger.control().setHeapReserveBytes(max - 2 * MIB);
            Reservation innocent = ledger.reserve(BYTE_ARRAY_OUTPUT_STREAM, 256 * 1024, 512 * 1024);
            assertNotNull(innocent, "the hog holds the most, so an innocent's 512 KiB may take from the reserve");
            innocent.abandon();
            growAgain.countDown();
            hog.join(60_000);
            assertFalse(hog.isAlive());
            assertTrue(hogsNextGrowth.get() instanceof QuotaExceededException, String.valueOf(hogsNextGrowth.get()));
            assertEquals("heap-reserve", ((QuotaExceededException) hogsNextGrowth.get()).rule());
            assertNotNull(hogsStream);
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("not reached in a minute");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void onAConcurrentCollectorARecentVerdictDecidesWithoutForcingAnotherCycle() throws Throwable {
        for (boolean concurrent : new boolean[] {false, true}) {
            onFreshThread(() -> {
                long max = Runtime.getRuntime().maxMemory();
                ReportingPlatform platform = new ReportingPlatform(max, concurrent);
                // A 2 MiB window: the heap in use now never leaves room for 1 MiB, the collector's figure does.
                Ledger ledger = Ledger.standalone(config().heapReserve(max - 2 * MIB).build(), platform);
                ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB).abandon();
                assertEquals(1, ledger.forcedCollections(), "the first verdict");
                ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB).abandon();
                assertEquals(concurrent ? 1 : 2, ledger.forcedCollections(), concurrent
                        ? "a concurrent collector's recent verdict stands in: no second forced cycle"
                        : "a stop-the-world collector is asked again about the suspect");
            });
        }
    }

    @Test
    void aLimitRefusesOnlyOnChargesACollectionHasSeenEvenWithTheBudgetSpent() {
        Ledger ledger = withOneCollection(config().rule("r", "*", "", -1, 8 * MIB).build(), TestConfigs.JDK_PLATFORM);
        ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB).bind(new byte[(int) (6 * MIB)]); // garbage at once
        Reservation second = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB);
        assertNotNull(second, "the budget's one collection credits the garbage");
        assertEquals(1, ledger.forcedCollections());
        second.bind(new byte[(int) (6 * MIB)]); // garbage again, charged after that collection
        Reservation third = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB);
        assertNotNull(third, "a charge made since the last collection may be garbage: one more collection, "
                + "beyond the budget, decides before any refusal");
        assertEquals(2, ledger.forcedCollections());
        byte[] kept = new byte[(int) (6 * MIB)];
        third.bind(kept);
        assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB),
                "live: refused once a collection has confirmed it");
        long confirmed = ledger.forcedCollections();
        assertEquals(3, confirmed);
        assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB));
        assertEquals(confirmed, ledger.forcedCollections(), "nothing charged since the last collection: no other");
        assertEquals(6 * MIB, kept.length);
    }

    @Test
    void threadsRefusedTogetherShareTheOneCollectionThatConfirmsIt() throws Exception {
        Ledger ledger = withOneCollection(config().rule("r", "*", "", -1, 8 * MIB).build(), TestConfigs.JDK_PLATFORM);
        byte[] kept = new byte[(int) (6 * MIB)];
        ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB).bind(kept);
        assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 6 * MIB),
                "the budget's one collection confirms what is held");
        Object owner = new Object();
        ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB).bindOwner(owner); // charged since: may be garbage
        long before = ledger.forcedCollections();
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger refused = new AtomicInteger();
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 2 * MIB);
                } catch (QuotaExceededException e) {
                    refused.incrementAndGet();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            t.start();
            all.add(t);
        }
        for (Thread t : all) {
            t.join(60_000);
            assertFalse(t.isAlive(), "a refused thread waits for one collection, not a minute");
        }
        assertEquals(threads, refused.get(), "7 MiB live of 8: each 2 MiB is refused");
        assertEquals(before + 1, ledger.forcedCollections(), "one collection, beyond the budget, for all four");
        assertEquals(6 * MIB, kept.length);
        assertNotNull(owner);
    }

    @Test
    void aSuspectsGrowthSinceTheLastCollectionIsConfirmedBeforeTheHeapReserveRefusesIt() throws Throwable {
        onFreshThread(() -> {
            long max = Runtime.getRuntime().maxMemory();
            ReportingPlatform platform = new ReportingPlatform(max);
            Ledger ledger = withOneCollection(config().build(), platform);
            byte[] first = new byte[(int) (4 * MIB)];
            ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 4 * MIB).bind(first);
            // An 8 MiB window above everything live by the collector's figure.
            ledger.control().setHeapReserveBytes(max - 8 * MIB);
            platform.live = 4 * MIB;
            ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 3 * MIB).bind(new byte[(int) (3 * MIB)]); // garbage at once
            assertEquals(1, ledger.forcedCollections(), "the budget's one collection: this thread holds the most");

            Reservation tipped = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 4 * MIB);
            assertNotNull(tipped, "4 live + 3 taken since + 4 asked would not fit, but the 3 were garbage, "
                    + "which one more collection shows");
            assertEquals(2, ledger.forcedCollections());
            byte[] second = new byte[(int) (4 * MIB)];
            tipped.bind(second);
            platform.live = 8 * MIB;
            QuotaExceededException e = assertThrows(QuotaExceededException.class,
                    () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, MIB), "what it took since is live: refused");
            assertEquals("heap-reserve", e.rule());
            assertEquals(3, ledger.forcedCollections());
            assertEquals(8 * MIB, first.length + second.length);
        });
    }

    @Test
    void scopesAreCheckedNestedAndReleasedOnClose() {
        Ledger ledger = Ledger.standalone(config().build(), TestConfigs.NO_COLLECTION);
        Scope outer = ledger.openScope("request", 100);
        Scope inner = ledger.openScope("parse", 50);
        Reservation a = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 40);
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 20));
        assertEquals("scope:parse", e.rule());
        ledger.closeScope(inner);
        assertEquals(0, inner.usedBytes());
        Reservation b = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 50);
        assertEquals(90, outer.usedBytes());
        QuotaExceededException o = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 20));
        assertEquals("scope:request", o.rule());
        ledger.closeScope(outer);
        assertNotNull(ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 20));
        a.abandon();
        b.abandon();
    }

    @Test
    void aListenerThatGrowsIsNotReentered() {
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", 10, -1).build(), TestConfigs.NO_COLLECTION);
        AtomicInteger calls = new AtomicInteger();
        ledger.addRefusalListener(refusal -> {
            calls.incrementAndGet();
            assertNull(ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 1_000_000), "growths inside the ledger are not decided");
        });
        assertThrows(QuotaExceededException.class, () -> ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 11));
        assertEquals(1, calls.get());
    }

    @Test
    void concurrentGrantsNeverExceedTheLimit() throws Exception {
        long limit = 1000;
        Ledger ledger = Ledger.standalone(config().rule("r", "*", "", -1, limit).build(), TestConfigs.NO_COLLECTION);
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        CountDownLatch done = new CountDownLatch(threads);
        AtomicInteger violations = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        try {
                            Reservation r = ledger.reserve(BYTE_BUFFER_ALLOCATE, 0, 300);
                            if (ledger.control().ruleAccount("r").used() > limit) {
                                violations.incrementAndGet();
                            }
                            r.abandon();
                        } catch (QuotaExceededException expected) {
                            // another thread holds the quota
                        }
                    }
                } catch (Exception e) {
                    violations.incrementAndGet();
                } finally {
                    done.countDown();
                }
            }).start();
        }
        done.await();
        assertEquals(0, violations.get());
        assertEquals(0, ledger.control().ruleAccount("r").used());
        assertTrue(ledger.control().ruleAccount("r").peak() <= limit);
    }

    @Test
    void isQuotaExceededFindsCausesAndSuppressedAndSurvivesCycles() {
        QuotaExceededException q = new QuotaExceededException("r", 2, 1, 0, null);
        RuntimeException wrapped = new RuntimeException(new IllegalStateException(q));
        assertTrue(HeapGuard.isQuotaExceeded(wrapped));
        RuntimeException suppressing = new RuntimeException("outer");
        suppressing.addSuppressed(new RuntimeException(q));
        assertTrue(HeapGuard.isQuotaExceeded(suppressing));
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        a.addSuppressed(b);
        assertFalse(HeapGuard.isQuotaExceeded(a));
        assertFalse(HeapGuard.isQuotaExceeded(null));
        assertTrue(HeapGuard.findQuotaExceeded(wrapped) == q);
    }

    @Test
    void withoutTheAgentAScopeIsInert() {
        try (var scope = HeapGuard.scope("request", 10)) {
            assertFalse(scope.isGuarded());
            assertEquals(0, scope.usedBytes());
        }
        assertThrows(IllegalArgumentException.class, () -> HeapGuard.scope("x", -1));
    }
}

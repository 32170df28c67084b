package io.heapguard.ledger;

/**
 * What the ledger needs from the JVM beyond public JDK API. The agent supplies an implementation that
 * reaches JDK internals it has been granted access to; core itself cannot (it is compiled with
 * {@code --release 17} and may run without the agent).
 */
public interface Platform {

    /**
     * Waits while the JDK's reference handler is still enqueuing references discovered by the last
     * collection, as {@code java.nio.Bits.reserveMemory} does.
     *
     * @return true if there was work in progress and it waited, false if there was nothing pending
     */
    boolean waitForReferenceProcessing() throws InterruptedException;

    /**
     * The live heap as the collector saw it at the end of the collection {@link #collect()} just asked
     * for (what the collector reports for that collection), or -1 when not known or when none ran. It does
     * not count what other threads allocated since, as the heap in use read afterwards would.
     */
    default long liveHeapAfterCollection() {
        return -1;
    }

    /**
     * The free heap that may be lost beside one live array of {@code bytes} because the collector never
     * moves it: G1 before JDK 21 pins every humongous array (at least half a region), and the free regions
     * between pinned arrays form gaps that the next humongous array may not fit in. 0 elsewhere.
     */
    default long gapBeside(long bytes) {
        return 0;
    }

    /**
     * Whether the collector runs concurrently with the application (ZGC, Shenandoah): its figure for a
     * cycle counts as live what became garbage while the cycle ran, so a second cycle is needed to see it;
     * and a forced cycle costs so much that a recent verdict stands in for one where it can.
     */
    default boolean concurrentCollector() {
        return false;
    }

    /**
     * The part of the maximum heap that live data can fill: {@link Runtime#maxMemory()} counts a survivor
     * space on Serial and Parallel that can hold no large array and never holds much; the heap reserve is
     * kept free of this.
     */
    default long heapCapacity() {
        return MaxHeap.BYTES; // asked on every tracked grant: not a call into the VM each time
    }

    /** {@link Runtime#maxMemory()}, fixed for the JVM's life. */
    final class MaxHeap {
        static final long BYTES = Runtime.getRuntime().maxMemory();

        private MaxHeap() {
        }
    }

    /**
     * The largest single array the collector could place now where it must put one of {@code requested}
     * bytes, when that is less than the heap's free space suggests; {@link Long#MAX_VALUE} when the heap's
     * totals tell the truth. Serial and Parallel put an array larger than eden into the old generation,
     * which may be full while the heap as a whole is not. G1 before JDK 21 never moves a humongous array,
     * not even in a full collection, and a doubling buffer's array sits above the regions its smaller
     * predecessors took (each was allocated while the one before it was live): the next one must fit above.
     *
     * @param replaced        the array this growth copies from, live until the copy is done; 0 for none
     * @param heapInUse       the heap in use now, garbage included
     * @param afterCollection true right after a full collection (the collector's figures from it, which
     *                        count no garbage); false for figures of now, which count garbage and so
     *                        understate the room
     */
    default long placementRoom(long requested, long replaced, long heapInUse, boolean afterCollection) {
        return Long.MAX_VALUE;
    }

    /**
     * The most room any collection could make for one array of {@code requested} bytes where the collector
     * must put it, while the {@code replaced} bytes this growth copies from stay live (they do until the copy
     * is done); {@link Long#MAX_VALUE} when the collector's layout rules nothing out. Below {@code requested},
     * the growth cannot be placed whatever the rest of the heap holds: the collector would try its hardest
     * and end in an OutOfMemoryError, so no collection need prove it.
     */
    default long placementCeiling(long requested, long replaced) {
        return Long.MAX_VALUE;
    }

    /**
     * The smallest array the collector places in a run of regions of its own and never moves, not even in
     * a full collection: half a region on G1 before JDK 21; {@link Long#MAX_VALUE} where nothing is pinned.
     * Asked on every tracked grant, so an answer from a field, never a call into the VM.
     */
    default long pinnedFrom() {
        return Long.MAX_VALUE;
    }

    /**
     * Asks for a full collection before a refusal; {@link System#gc()} unless a test says otherwise.
     *
     * @return false when the JVM skipped it and kept skipping it for as long as the platform would wait:
     *         HotSpot's GC locker (G1 before JDK 22, Serial and Parallel before JDK 25) skips
     *         {@code System.gc()} while any thread is inside a JNI critical region, as {@code java.util.zip}'s
     *         {@code Deflater} and {@code Inflater} are for most of their work. The heap as it is then counts
     *         garbage, and must not decide a refusal.
     */
    default boolean collect() {
        System.gc();
        return true;
    }

    /** A platform without access to JDK internals: never waits. */
    Platform NONE = new Platform() {
        @Override
        public boolean waitForReferenceProcessing() {
            return false;
        }
    };
}

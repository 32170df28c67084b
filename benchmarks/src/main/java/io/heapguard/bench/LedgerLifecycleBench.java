package io.heapguard.bench;

import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Reservation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The ledger alone, whole life of a charge, built-in defaults, 1 thread.
 *
 * <ul>
 *   <li>{@link #gcCredit64KiB}: reserve 64 KiB, bind the charge to a fresh {@code byte[64 KiB]}, drop it;
 *       the collector clears the phantom reference and a later {@code reserve} drains it and credits.
 *       Compare with {@link #alloc64KiB}, the same allocation without the ledger.</li>
 *   <li>{@link #grantCredit1MiB}: reserve then abandon 1 MiB: at and above 1 MiB the ledger captures
 *       the call site ({@code new Throwable()}) for a refusal's top consumers.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(4)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class LedgerLifecycleBench {
    private Ledger ledger;

    @Setup
    public void setUp() {
        ledger = LedgerConfigs.standalone("");
    }

    /** Checks the charges really come back: collect, let the reference handler enqueue, drain; retry a while. */
    @TearDown
    public void tearDown() throws InterruptedException {
        long left = Long.MAX_VALUE;
        for (int i = 0; i < 50 && left > 64L << 20; i++) {
            System.gc();
            Thread.sleep(100);
            ledger.drain();
            left = ledger.global().used();
        }
        if (left > 64L << 20) {
            throw new IllegalStateException("the collector did not credit the ledger: " + left + " bytes still charged, "
                    + ledger.liveCharges() + " live charges");
        }
    }

    @Benchmark
    public byte[] gcCredit64KiB() {
        Reservation r = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, 64 << 10);
        byte[] a = new byte[64 << 10];
        r.bind(a);
        return a;
    }

    @Benchmark
    public byte[] alloc64KiB() {
        return new byte[64 << 10];
    }

    @Benchmark
    public Reservation grantCredit1MiB() {
        Reservation r = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, 1 << 20);
        r.abandon();
        return r;
    }
}

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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The ledger alone, no agent, no instrumentation: one grant and its credit ({@code reserve} then
 * {@code abandon}) of a 64 KiB {@code ByteBuffer.allocate}, on 1 thread and on 2 threads sharing the
 * ledger (they contend on the global account's CAS and the heap-tracked account).
 *
 * <p>{@code config}: {@code defaults} is the built-in configuration (heap.reserve 10%, no rules, no
 * global limit); {@code no-heap-reserve} sets {@code heap.reserve=0}, which takes the heap-reserve check
 * ({@code Runtime.totalMemory() - freeMemory()}) out of the decision.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(4)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class LedgerBench {
    static final int SIZE = 64 << 10;

    @Param({"defaults", "no-heap-reserve"})
    public String config;

    private Ledger ledger;

    @Setup
    public void setUp() {
        ledger = LedgerConfigs.standalone(config.equals("defaults") ? "" : "heap.reserve=0");
    }

    @Benchmark
    @Threads(1)
    public Reservation grantCredit_1t() {
        return grantCredit();
    }

    @Benchmark
    @Threads(2)
    public Reservation grantCredit_2t() {
        return grantCredit();
    }

    private Reservation grantCredit() {
        Reservation r = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, SIZE);
        r.abandon();
        return r;
    }
}

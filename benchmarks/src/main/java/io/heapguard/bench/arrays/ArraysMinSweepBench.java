package io.heapguard.bench.arrays;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What charging an array costs next to making it, to choose {@code arrays.min}. Run bare and with
 * {@code -javaagent:...=arrays.min=64k}, so every size here takes the slow path: the ledger's checks, a
 * charge tied to the array (a phantom reference) and its credit once the array is collected, and from
 * 1 MiB the call site captured for attribution.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ArraysMinSweepBench {
    @Param({"65536", "262144", "1048576", "4194304"})
    public int bytes;

    @Benchmark
    public byte[] newByteArray() {
        return new byte[bytes];
    }

    @Benchmark
    public Object[] newObjectArray() {
        return new Object[bytes >> 2];
    }
}

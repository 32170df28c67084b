package io.heapguard.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** {@code ByteBuffer.allocate}: 64 bytes (fast path) and 1 MiB (slow path at the default track.min). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(4)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class ByteBufferBench {

    @Setup
    public void setUp() {
        AgentCheck.verify();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public ByteBuffer allocate64() {
        return ByteBuffer.allocate(64);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ByteBuffer allocate1MiB() {
        return ByteBuffer.allocate(1 << 20);
    }
}

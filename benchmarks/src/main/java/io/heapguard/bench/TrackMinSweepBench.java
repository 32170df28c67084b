package io.heapguard.bench;

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
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * What the slow path costs next to the allocation it guards, to choose {@code track.min}. Run bare and
 * with {@code -javaagent:...=track.min=1k}, so every size here is charged, registered and credited.
 *
 * <ul>
 *   <li>{@link #allocate}: {@code ByteBuffer.allocate(size)}.</li>
 *   <li>{@link #baosWrite}: one {@code write} of {@code size} bytes into a fresh
 *       {@code ByteArrayOutputStream}: exactly one growth, from 32 bytes to {@code size}, plus the copy.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(4)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class TrackMinSweepBench {
    @Param({"16384", "65536", "262144", "1048576"})
    public int size;

    private byte[] source;

    @Setup
    public void setUp() {
        AgentCheck.verify();
        source = new byte[size];
    }

    @Benchmark
    public ByteBuffer allocate() {
        return ByteBuffer.allocate(size);
    }

    @Benchmark
    public ByteArrayOutputStream baosWrite() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(source, 0, size);
        return out;
    }
}

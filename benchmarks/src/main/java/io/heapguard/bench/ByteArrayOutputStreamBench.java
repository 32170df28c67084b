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

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code ByteArrayOutputStream}, the agent's hooks on {@code ensureCapacity} and {@code toByteArray}.
 *
 * <ul>
 *   <li>{@link #growTo1MiB}: a fresh stream filled to 1 MiB in 64-byte writes: 15 doublings from 32 bytes,
 *       the last five (64 KiB .. 1 MiB) at or above the default {@code track.min}, so they take the slow
 *       path.</li>
 *   <li>{@link #reset64KiB} / {@link #reset64KiBIn64B}: 64 KiB written into a stream that is
 *       {@code reset()} and already large enough: the hook runs, nothing grows.</li>
 *   <li>{@link #toByteArray1MiB}: the copy hook, slow path (1 MiB).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(4)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class ByteArrayOutputStreamBench {
    private static final int MIB = 1 << 20;

    private final byte[] chunk64 = new byte[64];
    private final byte[] chunk64k = new byte[64 << 10];
    private ByteArrayOutputStream reused;
    private ByteArrayOutputStream filled1MiB;

    @Setup
    public void setUp() {
        AgentCheck.verify();
        reused = new ByteArrayOutputStream(64 << 10);
        filled1MiB = new ByteArrayOutputStream(MIB);
        filled1MiB.write(new byte[MIB], 0, MIB);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ByteArrayOutputStream growTo1MiB() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] c = chunk64;
        for (int i = 0; i < MIB / 64; i++) {
            out.write(c, 0, 64);
        }
        return out;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int reset64KiB() {
        ByteArrayOutputStream out = reused;
        out.reset();
        out.write(chunk64k, 0, chunk64k.length);
        return out.size();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int reset64KiBIn64B() {
        ByteArrayOutputStream out = reused;
        out.reset();
        byte[] c = chunk64;
        for (int i = 0; i < (64 << 10) / 64; i++) {
            out.write(c, 0, 64);
        }
        return out.size();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] toByteArray1MiB() {
        return filled1MiB.toByteArray();
    }
}

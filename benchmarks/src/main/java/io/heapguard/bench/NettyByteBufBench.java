package io.heapguard.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
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

import java.util.concurrent.TimeUnit;

/**
 * A pooled Netty buffer written 4 KiB at a time from 256 bytes to {@code size}, growing by Netty's rules,
 * then released: growth point {@code netty.ByteBuf}. At 32 KiB every growth is below the default
 * {@code track.min} (64 KiB), so the agent costs a compare per growth and a compare per release; at 1 MiB
 * the growths to 64 KiB and past are charged (the slow path, five times) and the release credits them.
 * {@code direct}: the allocator's direct arena, else its heap arena. In the steady state nothing is allocated:
 * the buffer object is recycled and its memory comes from the thread's cache.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// The thread waits for each compilation, so every fork, bare or not, compiles the loop in one order and one
// shape: C2 does not inline a callee already compiled large, and which callee comes first otherwise varies.
@Fork(value = 4, jvmArgsPrepend = "-XX:-BackgroundCompilation")
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class NettyByteBufBench {
    private static final int CHUNK = 4 << 10;

    @Param({"32768", "1048576"})
    public int size;

    @Param({"false", "true"})
    public boolean direct;

    private final byte[] chunk = new byte[CHUNK];
    private PooledByteBufAllocator alloc;

    @Setup
    public void setUp() {
        AgentCheck.verify();
        // Netty's default leak detector wraps one buffer in 128, at random, and records a stack trace for it
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        alloc = new PooledByteBufAllocator(direct);
    }

    @Benchmark
    public int writeGrowRelease() {
        ByteBuf buf = direct ? alloc.directBuffer(256) : alloc.heapBuffer(256);
        try {
            for (int written = 0; written < size; written += CHUNK) {
                buf.writeBytes(chunk);
            }
            return buf.capacity();
        } finally {
            buf.release();
        }
    }
}

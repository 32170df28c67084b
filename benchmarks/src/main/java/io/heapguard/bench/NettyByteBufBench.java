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
    private static final int SOURCE_STEP = 520;

    @Param({"32768", "1048576"})
    public int size;

    @Param({"false", "true"})
    public boolean direct;

    /**
     * Where each write comes from: 4 KiB at eight offsets 520 bytes apart, in turn, so at every alignment to a
     * 64-byte cache line (0, 8, ... 56) and at eight places in a 4 KiB page. A 4 KiB copy's speed depends on
     * where its source and its destination lie (on JDK 25, one source array written from offsets 0, 8, ... 56
     * took 0.88 to 1.38 us an operation, fork by fork), and where that array, or Netty's native chunk, lands
     * depends on everything the JVM allocated before it, an agent's start-up included: from one source into
     * buffers at one alignment, bare and agent forks compared alignments, not agents. Every fork now measures
     * the same mix: all eight sources in each operation, and each operation starting its buffer at the next of
     * eight alignments ({@link #operations}).
     */
    private final byte[] source = new byte[CHUNK + 7 * SOURCE_STEP];
    private PooledByteBufAllocator alloc;
    /** Operations so far: the next one starts writing at byte 8 × (this mod 8) of its buffer. */
    private int operations;

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
            int start = (operations++ & 7) * 8;
            buf.writerIndex(start);
            for (int written = start, i = 0; written < size; i = (i + 1) & 7) {
                int length = Math.min(CHUNK, size - written);
                buf.writeBytes(source, i * SOURCE_STEP, length);
                written += length;
            }
            return buf.capacity();
        } finally {
            buf.release();
        }
    }
}

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * {@code ByteBuffer.allocateDirect(64 KiB)}, the agent's slow path at the default track.min.
 *
 * <p>Direct memory is released deterministically: the newest {@value #RING} buffers are kept, and the
 * one pushed out of the ring is freed at once with {@code sun.misc.Unsafe.invokeCleaner} (JDK 25 prints
 * one deprecation warning for it). Left to the collector, 64 KiB per operation would reach
 * {@code MaxDirectMemorySize} within milliseconds and {@code Bits.reserveMemory} would call
 * {@code System.gc()} over and over, which would measure the collector rather than the allocation. The
 * ledger's charge for a direct buffer is credited when its {@code DirectByteBuffer} object is collected,
 * which still happens through the collector, as it would in an application.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 4, jvmArgsPrepend = "-XX:MaxDirectMemorySize=1g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class DirectByteBufferBench {
    private static final int RING = 8;
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private final ByteBuffer[] ring = new ByteBuffer[RING];
    private int next;

    @Setup
    public void setUp() {
        AgentCheck.verify();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public ByteBuffer allocateDirect64KiB() throws Throwable {
        ByteBuffer b = ByteBuffer.allocateDirect(64 << 10);
        int i = next++ & (RING - 1);
        ByteBuffer old = ring[i];
        ring[i] = b;
        if (old != null) {
            INVOKE_CLEANER.invokeExact(old);
        }
        return b;
    }

    @TearDown
    public void tearDown() throws Throwable {
        for (int i = 0; i < RING; i++) {
            if (ring[i] != null) {
                INVOKE_CLEANER.invokeExact(ring[i]);
                ring[i] = null;
            }
        }
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

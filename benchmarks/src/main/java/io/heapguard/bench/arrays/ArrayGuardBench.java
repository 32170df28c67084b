package io.heapguard.bench.arrays;

import io.heapguard.internal.ArrayHooks;
import io.heapguard.ledger.Ledger;
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

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The cost of the {@code array} guard in allocation-heavy application code. This class is application
 * code to the agent ({@code io.heapguard.bench.arrays} is instrumented), so run it bare and with
 * {@code -javaagent:...}: every allocation below is rewritten, and lengths come from fields, so none is a
 * constant the rewrite could leave alone.
 *
 * <p>Below {@code arrays.min} (the fast path: a compare and a branch before the JVM's own allocation):
 * <ul>
 * <li>{@link #newByteArray}: {@code new byte[64]} ({@code newarray}, replaced by a call).</li>
 * <li>{@link #newObjectArray}: {@code new String[16]} ({@code anewarray}, check before, bind after).</li>
 * <li>{@link #copyOf}: {@code Arrays.copyOf(byte[64], 128)}.</li>
 * <li>{@link #newMatrix}: {@code new int[4][4]} ({@code multianewarray}).</li>
 * <li>{@link #encode}: an application-shaped workload: encode 200 records into a byte buffer that grows by
 *     {@code Arrays.copyOf}, with a {@code String[]} of fields, a varargs array and a scratch
 *     {@code byte[]} per record (about 800 allocations, ~30 KB).</li>
 * </ul>
 * At and above {@code arrays.min} (the slow path: the ledger charges the array and ties the charge to it):
 * <ul>
 * <li>{@link #newByteArray1MiB}: {@code new byte[1 MiB]}.</li>
 * <li>{@link #grow4MiB}: a buffer grown from 256 KiB to 4 MiB by doubling {@code Arrays.copyOf} (1, 2 and
 *     4 MiB charged).</li>
 * </ul>
 * With {@code -Dhgbench.arrays=bare} or {@code -Dhgbench.arrays=<arrays.min bytes>} each fork checks that
 * it runs as promised (and, with the agent, that this class really was rewritten).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ArrayGuardBench {
    public int small = 64;
    public int rows = 4;
    public int fields = 16;
    public int oneMiB = 1 << 20;
    public int start = 256 << 10;
    public int end = 4 << 20;
    private byte[] source;
    private String[] names;

    @Setup
    public void setUp() {
        check();
        source = new byte[small];
        Arrays.fill(source, (byte) 7);
        names = new String[] {"id", "name", "email", "city", "zip", "country", "phone", "note"};
    }

    /** Fails the fork if it does not run as {@code -Dhgbench.arrays} says. */
    private void check() {
        String expect = System.getProperty("hgbench.arrays");
        if (expect == null) {
            return;
        }
        if (expect.equals("bare")) {
            if (Ledger.current() != null) {
                throw new IllegalStateException("fork expected to run bare, but heapguard is installed");
            }
            return;
        }
        long min = Long.parseLong(expect);
        if (Ledger.current() == null || ArrayHooks.minBytes() != min) {
            throw new IllegalStateException("fork expected the array guard with arrays.min=" + min + ", has "
                    + (Ledger.current() == null ? "no agent" : "arrays.min=" + ArrayHooks.minBytes()));
        }
        long before = Ledger.current().global().used();
        byte[] probe = new byte[(int) min];
        if (Ledger.current().global().used() < before + min) {
            throw new IllegalStateException("this class was not rewritten: new byte[" + min + "] was not charged");
        }
        probe[0] = 1;
    }

    // --- below arrays.min ----------------------------------------------------------------------------

    @Benchmark
    public byte[] newByteArray() {
        return new byte[small];
    }

    @Benchmark
    public String[] newObjectArray() {
        return new String[fields];
    }

    @Benchmark
    public byte[] copyOf() {
        return Arrays.copyOf(source, small * 2);
    }

    @Benchmark
    public int[][] newMatrix() {
        return new int[rows][rows];
    }

    @Benchmark
    public int encode() {
        byte[] out = new byte[small];
        int size = 0;
        for (int r = 0; r < 200; r++) {
            String[] record = new String[names.length];
            for (int f = 0; f < record.length; f++) {
                record[f] = names[f];
            }
            byte[] scratch = new byte[record.length * 4 + (r & 15)];
            for (int f = 0; f < record.length; f++) {
                scratch[f] = (byte) record[f].length();
            }
            Object[] args = new Object[] {record[0], r, scratch.length};
            int need = size + scratch.length + args.length;
            if (need > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, need));
            }
            System.arraycopy(scratch, 0, out, size, scratch.length);
            size += scratch.length;
            out[size++] = (byte) args.length;
            out[size++] = (byte) ((Integer) args[1]).intValue();
            out[size++] = (byte) ((Integer) args[2]).intValue();
        }
        return size + out.length;
    }

    // --- at and above arrays.min ---------------------------------------------------------------------

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] newByteArray1MiB() {
        return new byte[oneMiB];
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int grow4MiB() {
        byte[] buf = new byte[start];
        while (buf.length < end) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        return buf.length;
    }
}

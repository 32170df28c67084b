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

import java.util.concurrent.TimeUnit;

/**
 * {@code StringBuilder}: not hooked by the agent yet. Measured anyway, so the table shows the baseline
 * now and the hook's cost once it lands.
 *
 * <ul>
 *   <li>{@link #appendTo1MiB}: a fresh builder grown to 1 Mi Latin-1 chars (1 MiB) in 64-char appends.</li>
 *   <li>{@link #json}: a ~600-char JSON-like document (strings, ints, a nested array) and its
 *       {@code toString()}, the kind of small string an application builds constantly.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(4)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class StringBuilderBench {
    private static final int MIB = 1 << 20;

    private final String chunk64 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    private final String[] keys = {"id", "name", "email", "createdAt", "active", "score", "tags", "address",
            "city", "zip", "country", "phone", "company", "title", "department", "manager"};
    private final String[] words = {"alpha", "Bravo Charlie", "delta@example.com", "2026-11-21T10:08:00Z",
            "echo foxtrot golf", "Hotel", "India \"quoted\"", "Juliett-Kilo", "Lima", "Mike November Oscar"};
    private int seed;

    @Setup
    public void setUp() {
        AgentCheck.verify();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public StringBuilder appendTo1MiB() {
        StringBuilder sb = new StringBuilder();
        String c = chunk64;
        for (int i = 0; i < MIB / 64; i++) {
            sb.append(c);
        }
        return sb;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public String json() {
        int s = seed++;
        StringBuilder sb = new StringBuilder();
        sb.append('{');
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(keys[i]).append("\":");
            switch (i % 4) {
                case 0:
                    sb.append(s * 31 + i);
                    break;
                case 1:
                    sb.append('"').append(words[(s + i) % words.length]).append('"');
                    break;
                case 2:
                    sb.append((s & 1) == 0);
                    break;
                default:
                    sb.append('[');
                    for (int j = 0; j < 3; j++) {
                        if (j > 0) {
                            sb.append(',');
                        }
                        sb.append('"').append(words[(s + i + j) % words.length]).append('"');
                    }
                    sb.append(']');
            }
        }
        sb.append('}');
        return sb.toString();
    }
}

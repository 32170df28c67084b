package io.heapguard.agent.netty;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for {@code io.heapguard.internal.NettyHooks} in the shaded copy of Netty that
 * {@link NettyTransformerTest} weaves: the same Netty hooks, recording each call, throwing {@link #refusal}
 * from a growth when set; Netty's direct allocations are recorded and made.
 */
public final class RecordingNettyHooks {
    public static final List<String> calls = new ArrayList<>();
    /** The sizes of Netty's direct allocations, kept apart: Netty's static initialisers make some too. */
    public static final List<Integer> directAllocations = new ArrayList<>();
    public static RuntimeException refusal;

    private RecordingNettyHooks() {
    }

    static void reset() {
        calls.clear();
        directAllocations.clear();
        refusal = null;
    }

    private static void grow(String call) {
        calls.add(call);
        if (refusal != null) {
            throw refusal;
        }
    }

    public static void nettyCapacity(Object buf, int currentCapacity, int newCapacity, int maxCapacity,
                                     boolean direct, boolean oldIsGarbage) {
        grow("capacity(" + currentCapacity + "," + newCapacity + "," + (direct ? "direct" : "heap")
                + (oldIsGarbage ? ",garbage" : "") + ")");
    }

    public static void nettyAddComponent(Object composite, int currentCapacity, int addedBytes, boolean direct) {
        grow("add(" + currentCapacity + "," + addedBytes + "," + (direct ? "direct" : "heap") + ")");
    }

    public static void nettyRelease(Object buf, int capacity) {
        calls.add("release(" + capacity + ")");
    }

    public static ByteBuffer allocateDirect(int capacity) {
        directAllocations.add(capacity);
        return ByteBuffer.allocateDirect(capacity);
    }
}

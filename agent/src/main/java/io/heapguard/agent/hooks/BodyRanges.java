package io.heapguard.agent.hooks;

import java.util.ArrayList;
import java.util.List;

import io.heapguard.agent.bytecode.MethodRewriter;

/**
 * The try ranges of a wrapped method body, in the new code's offsets: the whole body but the code added
 * at each return, so that an exception from that code is not taken for the body's. A range in which
 * nothing was emitted is dropped (the JVM rejects an empty one).
 */
final class BodyRanges {
    private final List<int[]> ranges = new ArrayList<>();
    private int start = -1;
    private boolean emitted;

    void open(MethodRewriter r) {
        start = r.position();
        emitted = false;
    }

    /** Code of the body was emitted in the open range. */
    void emitted() {
        emitted = true;
    }

    void close(MethodRewriter r) {
        if (emitted && r.position() > start) {
            ranges.add(new int[] {start, r.position()});
        }
        emitted = false;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Adds a catch-all entry for each range, all to {@code handler}. */
    void catchAllTo(MethodRewriter r, int handler) {
        for (int[] range : ranges) {
            r.catchAll(range[0], range[1], handler);
        }
    }

    static boolean isReturn(int opcode) {
        return opcode >= 172 && opcode <= 177; // ireturn .. return
    }
}

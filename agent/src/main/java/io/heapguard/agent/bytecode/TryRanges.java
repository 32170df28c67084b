package io.heapguard.agent.bytecode;

import java.util.ArrayList;
import java.util.List;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The ranges of a method body that one catch-all covers, split around code inserted at each return (so
 * that an exception from the inserted code is not caught as the body's). A range in which no instruction
 * was emitted is dropped: the JVM rejects an empty one.
 */
public final class TryRanges {
    private final List<Label> bounds = new ArrayList<>();
    private Label start;
    private boolean emitted;

    /** Starts a range here. */
    public void open(MethodVisitor mv) {
        start = new Label();
        mv.visitLabel(start);
        emitted = false;
    }

    /** An original instruction was emitted in the current range. */
    public void emitted() {
        emitted = true;
    }

    /** Ends the current range here. */
    public void close(MethodVisitor mv) {
        if (emitted) {
            Label end = new Label();
            mv.visitLabel(end);
            bounds.add(start);
            bounds.add(end);
        }
        emitted = false;
    }

    /**
     * Ends the current range and, if any range holds code, adds the catch-all entries (after the method's
     * own, so they only see what the body does not catch) and visits the handler's label.
     *
     * @return whether a handler was started: its code comes next
     */
    public boolean closeAndStartHandler(MethodVisitor mv) {
        close(mv);
        if (bounds.isEmpty()) {
            return false;
        }
        Label handler = new Label();
        for (int i = 0; i < bounds.size(); i += 2) {
            mv.visitTryCatchBlock(bounds.get(i), bounds.get(i + 1), handler, null);
        }
        mv.visitLabel(handler);
        return true;
    }
}

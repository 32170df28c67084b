package io.heapguard.agent.bytecode;

import java.util.ArrayList;
import java.util.List;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The code around a method body that every way out of it passes:
 *
 * <pre>
 *   local = &lt;entry code&gt;                       // the visitor's own, then {@link #start}
 *   try {                                       // starts after the store
 *       original body, each return preceded by
 *       {@link #beforeReturn}                       // outside the try range
 *   } catch (Throwable t) {                     // after the method's own handlers: only what escapes it
 *       {@link #onThrow}; throw t;
 *   }
 * </pre>
 *
 * The try range is split around the code inserted at each return, so that an exception from it is not
 * caught as the body's; a range in which no instruction was emitted is dropped (the JVM rejects an empty
 * one). The method visitor that owns one calls {@link #start} from {@code visitCode}, {@link #emitted} for
 * each original instruction, {@link #atReturn} from {@code visitInsn} and {@link #end} from
 * {@code visitMaxs}; where the local lives and how frames are kept is the visitor's business.
 */
public abstract class WrappedBody {
    private final List<Label> bounds = new ArrayList<>();
    private Label start;
    private boolean emitted;

    /** Emits the code before a return ({@code opcode}), its value (if any) on the stack; leaves it there. */
    protected abstract void beforeReturn(MethodVisitor mv, int opcode);

    /**
     * Emits the catch-all handler's code, the throwable on the stack (left there, to be rethrown); starts
     * with the handler's frame if the visitor keeps frames.
     */
    protected abstract void onThrow(MethodVisitor mv);

    /** Stores what the entry code left on the stack in {@code slot}; the body starts after. */
    public final void start(MethodVisitor mv, int slot) {
        mv.visitVarInsn(Opcodes.ASTORE, slot);
        open(mv);
    }

    /** An original instruction was emitted in the current range. */
    public final void emitted() {
        emitted = true;
    }

    /**
     * Whether {@code opcode} returns from the method; if so, emits {@link #beforeReturn} and the return
     * itself outside the try range.
     */
    public final boolean atReturn(MethodVisitor mv, int opcode) {
        if (opcode < Opcodes.IRETURN || opcode > Opcodes.RETURN) {
            return false;
        }
        close(mv);
        beforeReturn(mv, opcode);
        mv.visitInsn(opcode);
        open(mv);
        return true;
    }

    /**
     * Ends the body: if any range holds code, adds the catch-all entries (after the method's own, so they
     * only see what the body does not catch) and emits the handler.
     */
    public final void end(MethodVisitor mv) {
        close(mv);
        if (bounds.isEmpty()) {
            return;
        }
        Label handler = new Label();
        for (int i = 0; i < bounds.size(); i += 2) {
            mv.visitTryCatchBlock(bounds.get(i), bounds.get(i + 1), handler, null);
        }
        mv.visitLabel(handler);
        onThrow(mv);
        mv.visitInsn(Opcodes.ATHROW);
    }

    private void open(MethodVisitor mv) {
        start = new Label();
        mv.visitLabel(start);
        emitted = false;
    }

    private void close(MethodVisitor mv) {
        if (emitted) {
            Label end = new Label();
            mv.visitLabel(end);
            bounds.add(start);
            bounds.add(end);
        }
        emitted = false;
    }
}

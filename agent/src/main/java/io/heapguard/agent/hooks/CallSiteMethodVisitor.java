package io.heapguard.agent.hooks;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.SlotInserter;
import io.heapguard.agent.bytecode.WrappedBody;

/**
 * Shows each instruction of one method to a {@link CallSiteAdvice}, which may replace it; see there.
 *
 * <p>With a running total, a {@code long} local takes the first slot after the arguments (the original
 * locals from there on move up by two) and is set to 0 at entry. With an entry call, its reservation takes
 * that slot instead (one), and the body is wrapped as {@link AdviceMethodVisitor} wraps it
 * ({@link WrappedBody}): the reservation is tied to {@code this} before each return
 * ({@code GrowthHooks.bindOwner}) and abandoned if the body throws. A guarded call is wrapped in a catch-all
 * whose handler, emitted after the body, runs the advice's undo code for a refusal and rethrows whatever
 * it caught: its entry comes after the method's own in the exception table, so a guarded call must not
 * sit inside a {@code try} of the method (checked). Frames are dropped and recomputed
 * ({@code ClassWriter.COMPUTE_FRAMES}), as for {@link AdviceMethodVisitor}.
 */
final class CallSiteMethodVisitor extends SlotInserter {

    private static final String IS_REFUSAL = "isRefusal";
    private static final String IS_REFUSAL_DESCRIPTOR = "(Ljava/lang/Throwable;)Z";

    private final CallSiteAdvice advice;
    /** The body around the entry call's reservation, or {@code null} without an entry call. */
    private final WrappedBody body;
    private boolean afterMathMin;
    private boolean ownTryBlocks;
    private int rewritten;
    /** The kinds of site rewritten ({@link CallSiteAdvice#CALL} and so on). */
    private int kinds;
    private Label handler;

    /** The running total takes two slots (a long), the entry reservation one. */
    CallSiteMethodVisitor(int api, MethodVisitor mv, int access, String descriptor, CallSiteAdvice advice) {
        super(api, mv, access, descriptor, slotsFor(advice, access));
        this.advice = advice;
        this.body = advice.hasEntry() ? new EntryBody() : null;
    }

    private final class EntryBody extends WrappedBody {
        @Override
        protected void beforeReturn(MethodVisitor mv, int opcode) {
            mv.visitVarInsn(Opcodes.ALOAD, slot);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, Advice.BIND_OWNER, Advice.BIND_DESCRIPTOR, false);
        }

        @Override
        protected void onThrow(MethodVisitor mv) {
            mv.visitVarInsn(Opcodes.ALOAD, slot);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, Advice.ABANDON, Advice.ABANDON_DESCRIPTOR, false);
        }
    }

    private static int slotsFor(CallSiteAdvice advice, int access) {
        if (advice.needsRunningTotal() && advice.hasEntry()) {
            throw new IllegalArgumentException(advice + ": a running total or an entry, not both");
        }
        if (advice.hasEntry() && (access & Opcodes.ACC_STATIC) != 0) {
            throw new IllegalArgumentException(advice + ": an entry ties the charge to this: instance methods only");
        }
        return advice.hasEntry() ? 1 : advice.needsRunningTotal() ? 2 : 0;
    }

    @Override
    protected void instruction() {
        afterMathMin = false;
        if (body != null) {
            body.emitted();
        }
    }

    @Override
    public void visitCode() {
        super.visitCode();
        if (advice.needsRunningTotal()) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, slot);
        } else if (body != null) {
            rewritten(CallSiteAdvice.ENTRY); // before the body starts: the entry call is not in its range
            advice.entry(mv); // a refusal is thrown here, before the body changes anything
            body.start(mv, slot);
        }
    }

    @Override
    public void visitTryCatchBlock(Label start, Label end, Label handlerLabel, String type) {
        ownTryBlocks = true;
        super.visitTryCatchBlock(start, end, handlerLabel, type);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        afterMathMin = false;
        if (advice.methodInsn(mv, opcode, owner, name, descriptor)) {
            rewritten(CallSiteAdvice.CALL);
            return;
        }
        if (advice.guards(opcode, owner, name, descriptor)) {
            if (ownTryBlocks) {
                throw new IllegalStateException(advice.javaSignature() + " has try blocks of its own: "
                        + "a guarded call there would be caught by them first");
            }
            if (handler == null) {
                handler = new Label();
            }
            Label start = new Label();
            Label end = new Label();
            mv.visitTryCatchBlock(start, end, handler, null);
            mv.visitLabel(start);
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            mv.visitLabel(end);
            rewritten(CallSiteAdvice.GUARDED_CALL);
            return;
        }
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        afterMathMin = opcode == Opcodes.INVOKESTATIC && "java/lang/Math".equals(owner) && "min".equals(name)
                && "(II)I".equals(descriptor);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        boolean mathMin = afterMathMin;
        afterMathMin = false;
        if (opcode == Opcodes.NEWARRAY && advice.newArray(mv, opcode, operand, mathMin, slot)) {
            rewritten(mathMin ? CallSiteAdvice.CHUNK : CallSiteAdvice.NEW_ARRAY);
            return;
        }
        super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        afterMathMin = false;
        if (opcode == Opcodes.ANEWARRAY && advice.newArray(mv, opcode, type, false, slot)) {
            rewritten(CallSiteAdvice.NEW_ARRAY);
            return;
        }
        super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        int required = advice.requiredSites();
        if (rewritten == 0 || (kinds & required) != required) {
            throw new IllegalStateException("the growth sites of '" + advice.point().targetName()
                    + "' are not all in " + advice.javaSignature() + " on " + Runtime.version());
        }
        if (body != null) {
            body.end(mv);
        }
        if (handler != null) {
            Label rethrow = new Label();
            mv.visitLabel(handler);
            mv.visitInsn(Opcodes.DUP);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, IS_REFUSAL, IS_REFUSAL_DESCRIPTOR, false);
            mv.visitJumpInsn(Opcodes.IFEQ, rethrow);
            advice.undo(mv);
            mv.visitLabel(rethrow);
            mv.visitInsn(Opcodes.ATHROW);
        }
        super.visitMaxs(maxStack + 4, maxLocals + slotsTaken()); // recomputed anyway with COMPUTE_FRAMES
    }

    /** A site was rewritten: code of the body, as an original instruction is. */
    private void rewritten(int kind) {
        rewritten++;
        kinds |= kind;
        if (body != null) {
            body.emitted();
        }
    }

    @Override
    public void visitLabel(Label label) {
        afterMathMin = false;
        super.visitLabel(label);
    }

    @Override
    public void visitInsn(int opcode) {
        if (body != null && body.atReturn(mv, opcode)) {
            afterMathMin = false;
            return;
        }
        super.visitInsn(opcode);
    }
}

package io.heapguard.agent.hooks;

import java.util.ArrayList;
import java.util.List;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.MethodRewriter;

/**
 * Shows each instruction of one method to a {@link CallSiteAdvice}, which may replace it; see there.
 *
 * <p>With a running total, a {@code long} local is added after the method's own and set to 0 at entry.
 * With an entry call, its reservation takes that local instead, and the body is wrapped as
 * {@link EntryWeaver} wraps it: the reservation is tied to {@code this} before each return
 * ({@code GrowthHooks.bindOwner}) and abandoned if the body throws. A guarded call is covered by a
 * catch-all whose handler, placed after the body, runs the advice's undo code for a refusal and rethrows
 * whatever it caught: its entry comes after the method's own in the exception table, so a guarded call
 * must not sit inside a {@code try} of the method (checked).
 */
final class CallSiteWeaver implements MethodRewriter.Weaver {

    private static final String IS_REFUSAL = "isRefusal";
    private static final String IS_REFUSAL_DESCRIPTOR = "(Ljava/lang/Throwable;)Z";

    private final CallSiteAdvice advice;
    /** The body around the entry call's reservation, or {@code null} without an entry call. */
    private final BodyRanges body;
    /** {start, end} of each guarded call, in the new code. */
    private final List<int[]> guarded = new ArrayList<>();
    private boolean afterMathMin;
    private int rewritten;
    /** The kinds of site rewritten ({@link CallSiteAdvice#CALL} and so on). */
    private int kinds;

    CallSiteWeaver(CallSiteAdvice advice) {
        this.advice = advice;
        this.body = advice.hasEntry() ? new BodyRanges() : null;
    }

    /** The local the method gets: {@link MethodRewriter#OBJECT_LOCAL}, {@link MethodRewriter#LONG_LOCAL} or 0. */
    static int localFor(CallSiteAdvice advice, int access) {
        if (advice.needsRunningTotal() && advice.hasEntry()) {
            throw new IllegalArgumentException(advice + ": a running total or an entry, not both");
        }
        if (advice.hasEntry() && (access & Opcodes.ACC_STATIC) != 0) {
            throw new IllegalArgumentException(advice + ": an entry ties the charge to this: instance methods only");
        }
        return advice.hasEntry() ? MethodRewriter.OBJECT_LOCAL : advice.needsRunningTotal() ? MethodRewriter.LONG_LOCAL : 0;
    }

    @Override
    public void atEntry(MethodRewriter r) {
        MethodVisitor mv = r.emitter();
        if (advice.needsRunningTotal()) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, r.newLocal());
        } else if (body != null) {
            rewritten(CallSiteAdvice.ENTRY); // before the body starts: the entry call is not in its range
            advice.entry(mv); // a refusal is thrown here, before the body changes anything
            mv.visitVarInsn(Opcodes.ASTORE, r.newLocal());
            body.open(r);
        }
    }

    @Override
    public boolean atInstruction(MethodRewriter r) {
        int opcode = r.opcode();
        boolean mathMin = afterMathMin && !r.labelHere();
        afterMathMin = false;
        MethodVisitor mv = r.emitter();
        if (body != null && BodyRanges.isReturn(opcode)) {
            body.close(r);
            mv.visitVarInsn(Opcodes.ALOAD, r.newLocal());
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, Advice.BIND_OWNER, Advice.BIND_DESCRIPTOR, false);
            mv.visitInsn(opcode);
            body.open(r);
            return true;
        }
        if (body != null) {
            body.emitted(); // whether copied or rewritten below, it is code of the body
        }
        if (opcode >= Opcodes.INVOKEVIRTUAL && opcode <= Opcodes.INVOKEINTERFACE) {
            String owner = r.memberOwner();
            String name = r.memberName();
            String descriptor = r.memberDescriptor();
            if (advice.methodInsn(mv, opcode, owner, name, descriptor)) {
                rewritten(CallSiteAdvice.CALL);
                return true;
            }
            if (advice.guards(opcode, owner, name, descriptor)) {
                if (r.hasTryBlocks()) {
                    throw new IllegalStateException(advice.javaSignature() + " has try blocks of its own: "
                            + "a guarded call there would be caught by them first");
                }
                int start = r.position();
                r.copy();
                guarded.add(new int[] {start, r.position()});
                rewritten(CallSiteAdvice.GUARDED_CALL);
                return true;
            }
            afterMathMin = opcode == Opcodes.INVOKESTATIC && "java/lang/Math".equals(owner) && "min".equals(name)
                    && "(II)I".equals(descriptor);
            return false;
        }
        if (opcode == Opcodes.NEWARRAY && advice.newArray(mv, opcode, r.arrayType(), mathMin, r.newLocal())) {
            rewritten(mathMin ? CallSiteAdvice.CHUNK : CallSiteAdvice.NEW_ARRAY);
            return true;
        }
        if (opcode == Opcodes.ANEWARRAY && advice.newArray(mv, opcode, r.typeOperand(), false, r.newLocal())) {
            rewritten(CallSiteAdvice.NEW_ARRAY);
            return true;
        }
        return false;
    }

    @Override
    public void atEnd(MethodRewriter r) {
        int required = advice.requiredSites();
        if (rewritten == 0 || (kinds & required) != required) {
            throw new IllegalStateException("the growth sites of '" + advice.point().targetName()
                    + "' are not all in " + advice.javaSignature() + " on " + Runtime.version());
        }
        if (body != null) {
            body.close(r); // here, before any handler is emitted
        }
        if (!guarded.isEmpty()) {
            int handler = r.position();
            for (int[] call : guarded) {
                r.catchAll(call[0], call[1], handler);
            }
            r.handlerFrame(true);
            MethodVisitor mv = r.emitter();
            Label rethrow = new Label();
            mv.visitInsn(Opcodes.DUP);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, IS_REFUSAL, IS_REFUSAL_DESCRIPTOR, false);
            mv.visitJumpInsn(Opcodes.IFEQ, rethrow);
            advice.undo(mv);
            mv.visitLabel(rethrow);
            r.handlerFrame(true);
            mv.visitInsn(Opcodes.ATHROW);
        }
        if (body != null && !body.isEmpty()) {
            EntryWeaver.abandonAndRethrow(r, body);
        }
    }

    private void rewritten(int kind) {
        rewritten++;
        kinds |= kind;
    }
}

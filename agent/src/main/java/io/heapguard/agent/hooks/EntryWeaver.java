package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.MethodRewriter;

/**
 * The code around one advised method:
 *
 * <pre>
 *   reservation = GrowthHooks.xxx(...)      // advice.enter; a refusal is thrown here, nothing caught
 *   try {
 *       original body, each return preceded by GrowthHooks.bind(reservation, allocated)
 *   } catch (Throwable t) {
 *       GrowthHooks.abandon(reservation); throw t;
 *   }
 * </pre>
 *
 * The try ranges leave out the code added at the returns, so an exception from {@code bind} does not also
 * {@code abandon} the reservation. The reservation lives in a local added after the method's own; the
 * entry code gets the method's first line, so that a refusal's stack trace has one.
 */
final class EntryWeaver implements MethodRewriter.Weaver {
    private final Advice advice;
    private final BodyRanges body = new BodyRanges();

    EntryWeaver(Advice advice) {
        this.advice = advice;
    }

    @Override
    public void atEntry(MethodRewriter r) {
        r.lineAtEntry();
        advice.enter(r.emitter());
        r.emitter().visitVarInsn(Opcodes.ASTORE, r.newLocal());
        body.open(r);
    }

    @Override
    public boolean atInstruction(MethodRewriter r) {
        int opcode = r.opcode();
        if (!BodyRanges.isReturn(opcode)) {
            body.emitted();
            return false;
        }
        body.close(r);
        MethodVisitor mv = r.emitter();
        if (opcode == Opcodes.RETURN) {
            mv.visitVarInsn(Opcodes.ALOAD, r.newLocal());
            advice.pushAllocated(mv);
        } else { // ARETURN: Advice admits void or reference methods only
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ALOAD, r.newLocal());
            mv.visitInsn(Opcodes.SWAP);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, advice.bindMethod(), Advice.BIND_DESCRIPTOR, false);
        mv.visitInsn(opcode);
        body.open(r);
        return true;
    }

    @Override
    public void atEnd(MethodRewriter r) {
        body.close(r);
        if (!body.isEmpty()) {
            abandonAndRethrow(r, body);
        }
    }

    /** The catch-all handler of a wrapped body: abandons the reservation in the added local, rethrows. */
    static void abandonAndRethrow(MethodRewriter r, BodyRanges body) {
        int handler = r.position();
        body.catchAllTo(r, handler);
        r.handlerFrame(false);
        MethodVisitor mv = r.emitter();
        mv.visitVarInsn(Opcodes.ALOAD, r.newLocal());
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, Advice.ABANDON, Advice.ABANDON_DESCRIPTOR, false);
        mv.visitInsn(Opcodes.ATHROW);
    }
}

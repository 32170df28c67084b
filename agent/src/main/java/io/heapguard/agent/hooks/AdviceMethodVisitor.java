package io.heapguard.agent.hooks;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.SlotInserter;
import io.heapguard.agent.bytecode.TryRanges;

/**
 * The shared enter/exit/handler code around one advised method:
 *
 * <pre>
 *   reservation = GrowthHooks.xxx(...)      // advice.enter; a refusal is thrown here, nothing caught
 *   try {                                   // starts after the store
 *       original body, each return preceded by
 *       GrowthHooks.bind(reservation, allocated)   // outside the try range
 *   } catch (Throwable t) {
 *       GrowthHooks.abandon(reservation); throw t;
 *   }
 * </pre>
 *
 * The new local takes the first slot after the arguments; the original locals from there on move up by
 * one. Frames are dropped and recomputed ({@code ClassWriter.COMPUTE_FRAMES}), so the class must be read
 * with {@code ClassReader.SKIP_FRAMES}. The try range is split around each inserted {@code bind}, so an
 * exception from {@code bind} does not also {@code abandon} the reservation; the catch-all entries come
 * after the method's own in the exception table, so they only see what the body does not catch itself.
 */
final class AdviceMethodVisitor extends SlotInserter {

    private final Advice advice;
    private final TryRanges body = new TryRanges();
    /** Where the entry call starts; given the method's first line, so a refusal's stack trace has a line. */
    private Label entry;

    AdviceMethodVisitor(int api, MethodVisitor mv, int access, String descriptor, Advice advice) {
        super(api, mv, access, descriptor, 1);
        this.advice = advice;
    }

    @Override
    protected void instruction() {
        body.emitted();
    }

    @Override
    public void visitCode() {
        super.visitCode();
        entry = new Label();
        mv.visitLabel(entry);
        advice.enter(mv);
        mv.visitVarInsn(Opcodes.ASTORE, slot);
        body.open(mv);
    }

    @Override
    public void visitLineNumber(int line, Label start) {
        if (entry != null) {
            super.visitLineNumber(line, entry);
            entry = null;
        }
        super.visitLineNumber(line, start);
    }

    @Override
    public void visitInsn(int opcode) {
        if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
            body.close(mv);
            if (opcode == Opcodes.RETURN) {
                mv.visitVarInsn(Opcodes.ALOAD, slot);
                advice.pushAllocated(mv);
            } else { // ARETURN: Advice admits void or reference methods only
                mv.visitInsn(Opcodes.DUP);
                mv.visitVarInsn(Opcodes.ALOAD, slot);
                mv.visitInsn(Opcodes.SWAP);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, advice.bindMethod(), Advice.BIND_DESCRIPTOR, false);
            mv.visitInsn(opcode);
            body.open(mv);
        } else {
            super.visitInsn(opcode);
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        if (body.closeAndStartHandler(mv)) {
            mv.visitVarInsn(Opcodes.ALOAD, slot);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, Advice.ABANDON, Advice.ABANDON_DESCRIPTOR, false);
            mv.visitInsn(Opcodes.ATHROW);
        }
        super.visitMaxs(maxStack + 4, maxLocals + slotsTaken()); // recomputed anyway with COMPUTE_FRAMES
    }
}

package io.heapguard.agent.hooks;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.SlotInserter;
import io.heapguard.agent.bytecode.WrappedBody;

/**
 * The code around one advised method, in {@link WrappedBody}'s shape (so an exception from {@code bind}
 * does not also {@code abandon} the reservation):
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
 * The new local takes the first slot after the arguments; the original locals from there on
 * move up by one. Frames are dropped and recomputed ({@code ClassWriter.COMPUTE_FRAMES}), so the class must
 * be read with {@code ClassReader.SKIP_FRAMES}.
 */
final class AdviceMethodVisitor extends SlotInserter {

    private final Advice advice;
    private final WrappedBody body = new WrappedBody() {
        @Override
        protected void beforeReturn(MethodVisitor mv, int opcode) {
            if (opcode == Opcodes.RETURN) {
                mv.visitVarInsn(Opcodes.ALOAD, slot);
                advice.pushAllocated(mv);
            } else { // ARETURN: Advice admits void or reference methods only
                mv.visitInsn(Opcodes.DUP);
                mv.visitVarInsn(Opcodes.ALOAD, slot);
                mv.visitInsn(Opcodes.SWAP);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, advice.bindMethod(), Advice.BIND_DESCRIPTOR, false);
        }

        @Override
        protected void onThrow(MethodVisitor mv) {
            mv.visitVarInsn(Opcodes.ALOAD, slot);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, Advice.ABANDON, Advice.ABANDON_DESCRIPTOR, false);
        }
    };
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
        body.start(mv, slot);
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
        if (!body.atReturn(mv, opcode)) {
            super.visitInsn(opcode);
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        body.end(mv);
        super.visitMaxs(maxStack + 4, maxLocals + slotsTaken()); // recomputed anyway with COMPUTE_FRAMES
    }
}

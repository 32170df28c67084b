package io.heapguard.agent.hooks;

import java.util.ArrayList;
import java.util.List;

import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.TypePath;

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
final class AdviceMethodVisitor extends MethodVisitor {

    private final Advice advice;
    /** The reservation's slot; original locals at or above it are moved up by one. */
    private final int slot;
    private final List<Label> ranges = new ArrayList<>();
    private Label rangeStart;
    /** Whether an original instruction was emitted since {@link #rangeStart}: empty ranges are illegal. */
    private boolean emitted;
    /** Where the entry call starts; given the method's first line, so a refusal's stack trace has a line. */
    private Label entry;

    AdviceMethodVisitor(int api, MethodVisitor mv, int access, String descriptor, Advice advice) {
        super(api, mv);
        this.advice = advice;
        int argumentSlots = Type.getArgumentsAndReturnSizes(descriptor) >> 2; // includes 'this'
        this.slot = (access & Opcodes.ACC_STATIC) != 0 ? argumentSlots - 1 : argumentSlots;
    }

    @Override
    public void visitCode() {
        super.visitCode();
        entry = new Label();
        mv.visitLabel(entry);
        advice.enter(mv);
        mv.visitVarInsn(Opcodes.ASTORE, slot);
        openRange();
    }

    private void openRange() {
        rangeStart = new Label();
        mv.visitLabel(rangeStart);
        emitted = false;
    }

    private void closeRange() {
        if (emitted) {
            Label end = new Label();
            mv.visitLabel(end);
            ranges.add(rangeStart);
            ranges.add(end);
        }
        emitted = false;
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
            closeRange();
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
            openRange();
        } else {
            emitted = true;
            super.visitInsn(opcode);
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        closeRange();
        if (!ranges.isEmpty()) {
            Label handler = new Label();
            for (int i = 0; i < ranges.size(); i += 2) {
                mv.visitTryCatchBlock(ranges.get(i), ranges.get(i + 1), handler, null);
            }
            mv.visitLabel(handler);
            mv.visitVarInsn(Opcodes.ALOAD, slot);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Advice.HOOKS, Advice.ABANDON, Advice.ABANDON_DESCRIPTOR, false);
            mv.visitInsn(Opcodes.ATHROW);
        }
        super.visitMaxs(maxStack + 4, maxLocals + 1); // recomputed anyway with COMPUTE_FRAMES
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        // dropped: the slots moved, and the writer recomputes every frame of this method
    }

    private int remap(int var) {
        return var >= slot ? var + 1 : var;
    }

    @Override
    public void visitVarInsn(int opcode, int var) {
        emitted = true;
        super.visitVarInsn(opcode, remap(var));
    }

    @Override
    public void visitIincInsn(int var, int increment) {
        emitted = true;
        super.visitIincInsn(remap(var), increment);
    }

    @Override
    public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
                                   int index) {
        super.visitLocalVariable(name, descriptor, signature, start, end, remap(index));
    }

    @Override
    public org.objectweb.asm.AnnotationVisitor visitLocalVariableAnnotation(int typeRef, TypePath typePath,
            Label[] start, Label[] end, int[] index, String descriptor, boolean visible) {
        int[] moved = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            moved[i] = remap(index[i]);
        }
        return super.visitLocalVariableAnnotation(typeRef, typePath, start, end, moved, descriptor, visible);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        emitted = true;
        super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        emitted = true;
        super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
        emitted = true;
        super.visitFieldInsn(opcode, owner, name, descriptor);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        emitted = true;
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrapMethodHandle,
                                       Object... bootstrapMethodArguments) {
        emitted = true;
        super.visitInvokeDynamicInsn(name, descriptor, bootstrapMethodHandle, bootstrapMethodArguments);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
        emitted = true;
        super.visitJumpInsn(opcode, label);
    }

    @Override
    public void visitLdcInsn(Object value) {
        emitted = true;
        super.visitLdcInsn(value);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        emitted = true;
        super.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        emitted = true;
        super.visitLookupSwitchInsn(dflt, keys, labels);
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
        emitted = true;
        super.visitMultiANewArrayInsn(descriptor, numDimensions);
    }
}

package io.heapguard.agent.bytecode;

import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.TypePath;

/**
 * Makes room for locals of its own at the first slot after the arguments: every original local from there
 * on moves up by the room taken. Frames are dropped, since their locals no longer line up; the class must
 * be written with {@code ClassWriter.COMPUTE_FRAMES}.
 */
public abstract class SlotInserter extends InstructionWatcher {
    /** The first slot taken, or -1 when none is. */
    protected final int slot;
    private final int size;

    /**
     * @param size slots taken at the first slot after the arguments: 1 for a reference, 2 for a long; 0
     *             for none
     */
    protected SlotInserter(int api, MethodVisitor mv, int access, String descriptor, int size) {
        super(api, mv);
        this.size = size;
        this.slot = size == 0 ? -1 : firstSlotAfterArguments(access, descriptor);
    }

    private static int firstSlotAfterArguments(int access, String descriptor) {
        int argumentSlots = Type.getArgumentsAndReturnSizes(descriptor) >> 2; // includes 'this'
        return (access & Opcodes.ACC_STATIC) != 0 ? argumentSlots - 1 : argumentSlots;
    }

    /** Slots taken: what to add to the original {@code max_locals}. */
    protected final int slotsTaken() {
        return size;
    }

    private int remap(int var) {
        return slot >= 0 && var >= slot ? var + size : var;
    }

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
        super.visitVarInsn(opcode, remap(varIndex));
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
        super.visitIincInsn(remap(varIndex), increment);
    }

    @Override
    public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
                                   int index) {
        super.visitLocalVariable(name, descriptor, signature, start, end, remap(index));
    }

    @Override
    public AnnotationVisitor visitLocalVariableAnnotation(int typeRef, TypePath typePath, Label[] start,
            Label[] end, int[] index, String descriptor, boolean visible) {
        int[] moved = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            moved[i] = remap(index[i]);
        }
        return super.visitLocalVariableAnnotation(typeRef, typePath, start, end, moved, descriptor, visible);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        // dropped: the slots moved, and the writer recomputes every frame of this method
    }
}

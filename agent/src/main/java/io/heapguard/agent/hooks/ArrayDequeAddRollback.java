package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code ArrayDeque.addFirst}/{@code addLast} (JDK 17 and 25) store the element, move {@code head} or
 * {@code tail}, and only then {@code grow(1)} when the array became full; a refused growth would leave
 * the deque full with {@code head == tail}, which it reads as empty. So the {@code grow} call is wrapped:
 * on a refusal the element is taken out again and {@code head}/{@code tail} moved back (with the
 * class's own {@code inc}/{@code dec}), then the refusal propagates. The deque is as it was.
 */
final class ArrayDequeAddRollback extends CallSiteAdvice {
    private static final String ELEMENTS = "elements";
    private static final String OBJECTS = "[Ljava/lang/Object;";
    private final boolean first;

    static ArrayDequeAddRollback addFirst() {
        return new ArrayDequeAddRollback("addFirst", true);
    }

    static ArrayDequeAddRollback addLast() {
        return new ArrayDequeAddRollback("addLast", false);
    }

    private ArrayDequeAddRollback(String name, boolean first) {
        super(ArrayDequeGrowth.OWNER, name, "(Ljava/lang/Object;)V", false, GrowthPoint.ARRAY_DEQUE);
        this.first = first;
    }

    @Override
    int requiredSites() {
        return GUARDED_CALL;
    }

    @Override
    boolean guards(int opcode, String owner, String name, String descriptor) {
        return opcode == Opcodes.INVOKEVIRTUAL && ArrayDequeGrowth.OWNER.equals(owner) && "grow".equals(name)
                && "(I)V".equals(descriptor);
    }

    @Override
    void undo(MethodVisitor mv) {
        String index = first ? "head" : "tail";
        if (first) {
            clearSlot(mv, index);                              // elements[head] = null;
            moveIndex(mv, index, "inc");                       // head = inc(head, elements.length);
        } else {
            moveIndex(mv, index, "dec");                       // tail = dec(tail, elements.length);
            clearSlot(mv, index);                              // elements[tail] = null;
        }
    }

    private static void clearSlot(MethodVisitor mv, String index) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, ArrayDequeGrowth.OWNER, ELEMENTS, OBJECTS);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, ArrayDequeGrowth.OWNER, index, "I");
        mv.visitInsn(Opcodes.ACONST_NULL);
        mv.visitInsn(Opcodes.AASTORE);
    }

    private static void moveIndex(MethodVisitor mv, String index, String step) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, ArrayDequeGrowth.OWNER, index, "I");
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, ArrayDequeGrowth.OWNER, ELEMENTS, OBJECTS);
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, ArrayDequeGrowth.OWNER, step, "(II)I", false);
        mv.visitFieldInsn(Opcodes.PUTFIELD, ArrayDequeGrowth.OWNER, index, "I");
    }
}

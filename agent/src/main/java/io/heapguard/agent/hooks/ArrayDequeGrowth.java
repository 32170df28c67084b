package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code ArrayDeque} growth, {@code private void grow(int needed)} (JDK 17 and 25):
 * {@code Arrays.copyOf(Object[], int)} becomes {@code GrowthHooks.copyOfRefs}, charged as the new capacity
 * times the reference size, to the deque. {@code addAll} grows before it adds; {@code addFirst}/{@code addLast} store
 * the element first and grow when that filled the array, which {@link ArrayDequeAddRollback} undoes
 * when the growth is refused.
 */
final class ArrayDequeGrowth extends CallSiteAdvice {
    static final String OWNER = "java/util/ArrayDeque";

    ArrayDequeGrowth() {
        super(OWNER, "grow", "(I)V", false, GrowthPoint.ARRAY_DEQUE);
    }

    @Override
    boolean methodInsn(MethodVisitor mv, int opcode, String owner, String name, String descriptor) {
        return replaceCopyOf(mv, opcode, owner, name, descriptor, ArrayListGrowth.REFS_COPY_OF, "copyOfRefs");
    }
}

package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code ArrayList} growth, {@code private Object[] grow(int minCapacity)} (JDK 17 and 25), through which
 * {@code add}, {@code addAll} and {@code ensureCapacity} grow before they store anything:
 * {@code Arrays.copyOf(Object[], int)} becomes {@code GrowthHooks.copyOfRefs} and the first array of a
 * list created empty, {@code anewarray java/lang/Object}, {@code GrowthHooks.newRefs}; charged as the
 * new capacity times the reference size, and tied to the list.
 */
final class ArrayListGrowth extends CallSiteAdvice {

    ArrayListGrowth() {
        super("java/util/ArrayList", "grow", "(I)[Ljava/lang/Object;", false, GrowthPoint.ARRAY_LIST);
    }

    @Override
    int requiredSites() {
        return CALL;
    }

    @Override
    boolean methodInsn(MethodVisitor mv, int opcode, String owner, String name, String descriptor) {
        return replaceCopyOf(mv, opcode, owner, name, descriptor, REFS_COPY_OF, "copyOfRefs");
    }

    @Override
    boolean newArray(MethodVisitor mv, int opcode, Object type, boolean afterMathMin, int runningTotal) {
        if (opcode != Opcodes.ANEWARRAY || !"java/lang/Object".equals(type)) {
            return false;
        }
        callHookWithOwner(mv, "newRefs", "(ILjava/lang/Object;I)[Ljava/lang/Object;");
        return true;
    }

    static final String REFS_COPY_OF = "([Ljava/lang/Object;I)[Ljava/lang/Object;";
}

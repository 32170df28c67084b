package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code HashMap} table growth, {@code final Node[] resize()} (JDK 17 and 25), so {@code LinkedHashMap},
 * {@code HashSet} and {@code LinkedHashSet} too: at entry {@code GrowthHooks.hashMapResize(table, threshold)},
 * which mirrors the new capacity; the charge is tied to the map at each return. An entry, not a call-site
 * replacement: {@code resize} sets {@code threshold} before it allocates, and the new array's type
 * ({@code HashMap$Node}) is not one a hook can name. A put inserts before it resizes;
 * {@link HashMapPutRollback} undoes the insertion when the resize is refused.
 */
final class HashMapResize extends CallSiteAdvice {
    static final String OWNER = "java/util/HashMap";
    static final String RESIZE_DESCRIPTOR = "()[Ljava/util/HashMap$Node;";

    HashMapResize() {
        super(OWNER, "resize", RESIZE_DESCRIPTOR, false, GrowthPoint.HASH_MAP);
    }

    @Override
    boolean hasEntry() {
        return true;
    }

    @Override
    int requiredSites() {
        return ENTRY;
    }

    @Override
    void entry(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, OWNER, "table", "[Ljava/util/HashMap$Node;");
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, OWNER, "threshold", "I");
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "hashMapResize", "([Ljava/lang/Object;I)Ljava/lang/Object;",
                false);
    }
}

package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code HashMap.putVal(int hash, K key, V value, boolean onlyIfAbsent, boolean evict)} (JDK 17 and 25)
 * inserts a new key, counts it, and only then resizes when the count passed the threshold; a refused
 * resize would leave the key in. So each {@code resize()} call in {@code putVal} is wrapped: on a
 * refusal, {@code removeNode(hash, key, null, false, true)} takes the new key out again (its first
 * {@code resize}, of a map with no table yet, comes before any insertion and finds nothing to remove),
 * then the refusal propagates. The map is as it was. (A {@code LinkedHashMap} unlinks the node in
 * {@code afterNodeRemoval}.)
 */
final class HashMapPutRollback extends CallSiteAdvice {

    HashMapPutRollback() {
        super(HashMapResize.OWNER, "putVal", "(ILjava/lang/Object;Ljava/lang/Object;ZZ)Ljava/lang/Object;", false,
                GrowthPoint.HASH_MAP);
    }

    @Override
    int requiredSites() {
        return GUARDED_CALL;
    }

    @Override
    boolean guards(int opcode, String owner, String name, String descriptor) {
        return opcode == Opcodes.INVOKEVIRTUAL && HashMapResize.OWNER.equals(owner) && "resize".equals(name)
                && HashMapResize.RESIZE_DESCRIPTOR.equals(descriptor);
    }

    @Override
    void undo(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitVarInsn(Opcodes.ALOAD, 2);
        mv.visitInsn(Opcodes.ACONST_NULL);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, HashMapResize.OWNER, "removeNode",
                "(ILjava/lang/Object;Ljava/lang/Object;ZZ)Ljava/util/HashMap$Node;", false);
        mv.visitInsn(Opcodes.POP);
    }
}

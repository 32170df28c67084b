package io.heapguard.agent.arrays;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.InstructionWatcher;
import io.heapguard.agent.bytecode.IntConstant;

/**
 * Rewrites the methods {@link ClassScan} picked; every other method is copied byte for byte by the
 * {@code ClassWriter} (it was built on the same {@code ClassReader}).
 *
 * <p>No rewrite adds a branch, and each leaves the operand stack as the original instruction did, with the
 * same verification type on top: the class's stack map frames stay valid as they are. So nothing is
 * recomputed, no frame is computed, and no class is loaded to transform one. Only {@code max_stack} grows
 * (by {@value #EXTRA_STACK}), and {@code max_locals} for a {@code multianewarray}.
 *
 * <table>
 * <caption>The rewrites</caption>
 * <tr><th>original</th><th>becomes</th></tr>
 * <tr><td>{@code newarray T}</td><td>{@code invokestatic ArrayHooks.newTArray(I)[T}</td></tr>
 * <tr><td>{@code anewarray C}</td>
 *     <td>{@code dup; invokestatic checkObjectArray(I)Ljava/lang/Object; swap; anewarray C; dup_x1;
 *     invokestatic bindPending(Ljava/lang/Object;Ljava/lang/Object;)V}</td></tr>
 * <tr><td>{@code multianewarray D n}</td><td>the counts into fresh locals; {@code checkMultiArray(counts..., code)} into
 *     another; the counts back; {@code multianewarray D n; dup; aload; swap; invokestatic bindPending}</td></tr>
 * <tr><td>{@code invokestatic java/util/Arrays.copyOf*}, {@code java/lang/reflect/Array.newInstance}</td>
 *     <td>the same name and descriptor in {@code ArrayHooks}</td></tr>
 * </table>
 *
 * <p>An allocation whose length is an {@code iconst}/{@code bipush}/{@code sipush}/{@code ldc} just
 * before it (with no label between them) and below the charged length is left as it is.
 */
final class ArrayRewriter extends ClassVisitor {
    static final int EXTRA_STACK = 3;
    private static final String HOOKS = HookedCalls.HOOKS;

    private final ClassScan scan;
    private final Thresholds thresholds;
    private int methodIndex;
    /** Allocation sites rewritten, over the class. */
    int sites;

    ArrayRewriter(ClassVisitor next, ClassScan scan, Thresholds thresholds) {
        super(Opcodes.ASM9, next);
        this.scan = scan;
        this.thresholds = thresholds;
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                     String[] exceptions) {
        MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
        int index = methodIndex++;
        if (mv == null || index >= scan.rewrite.length || !scan.rewrite[index]) {
            return mv; // copied as it is
        }
        return new Method(mv, scan.maxLocals[index]);
    }

    private final class Method extends InstructionWatcher {
        private final int firstFreeLocal;
        private int extraLocals;
        /** The previous instruction pushed the int {@link #constant}, and no label came since. */
        private boolean constantBefore;
        private int constant;

        Method(MethodVisitor mv, int maxLocals) {
            super(Opcodes.ASM9, mv);
            this.firstFreeLocal = maxLocals;
        }

        /** Ends "the instruction just before"; the constants set it again once passed on. */
        @Override
        protected void instruction() {
            constantBefore = false;
        }

        // --- allocations -------------------------------------------------------------------------

        @Override
        public void visitIntInsn(int opcode, int operand) {
            if (opcode == Opcodes.NEWARRAY && !smallConstant(thresholds.forNewarray(operand))) {
                String t = primitive(operand);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "new" + hookName(operand) + "Array",
                        "(I)[" + t, false);
                sites++;
                return;
            }
            super.visitIntInsn(opcode, operand);
            if (opcode == Opcodes.BIPUSH || opcode == Opcodes.SIPUSH) {
                constantBefore = true;
                constant = operand;
            }
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            if (opcode != Opcodes.ANEWARRAY || smallConstant(thresholds.minRef)) {
                super.visitTypeInsn(opcode, type);
                return;
            }
            sites++;
            // length
            super.visitInsn(Opcodes.DUP);                               // length, length
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "checkObjectArray", "(I)Ljava/lang/Object;", false);
            super.visitInsn(Opcodes.SWAP);                              // reservation, length
            super.visitTypeInsn(Opcodes.ANEWARRAY, type);               // reservation, array
            super.visitInsn(Opcodes.DUP_X1);                            // array, reservation, array
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "bindPending",
                    "(Ljava/lang/Object;Ljava/lang/Object;)V", false);  // array
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int dims) {
            int rank = 0;
            while (rank < descriptor.length() && descriptor.charAt(rank) == '[') {
                rank++;
            }
            int needed = dims + 1;
            if (dims < 1 || rank < dims || firstFreeLocal + needed > 0xFFFF) {
                super.visitMultiANewArrayInsn(descriptor, dims); // malformed, or no room: as it was
                return;
            }
            sites++;
            extraLocals = Math.max(extraLocals, needed);
            int base = firstFreeLocal;
            for (int i = dims - 1; i >= 0; i--) {
                super.visitVarInsn(Opcodes.ISTORE, base + i);
            }
            int counted = Math.min(dims, 3);
            for (int i = 0; i < counted; i++) {
                super.visitVarInsn(Opcodes.ILOAD, base + i);
            }
            IntConstant.push(mv, rank * 256 + leafBytes(descriptor.charAt(rank)));
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "checkMultiArray",
                    "(" + "IIII".substring(0, counted + 1) + ")Ljava/lang/Object;", false);
            super.visitVarInsn(Opcodes.ASTORE, base + dims);
            for (int i = 0; i < dims; i++) {
                super.visitVarInsn(Opcodes.ILOAD, base + i);
            }
            super.visitMultiANewArrayInsn(descriptor, dims);            // array
            super.visitInsn(Opcodes.DUP);                               // array, array
            super.visitVarInsn(Opcodes.ALOAD, base + dims);             // array, array, reservation
            super.visitInsn(Opcodes.SWAP);                              // array, reservation, array
            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "bindPending",
                    "(Ljava/lang/Object;Ljava/lang/Object;)V", false);  // array
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (opcode == Opcodes.INVOKESTATIC && !isInterface && HookedCalls.isHooked(owner, name, descriptor)) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, name, descriptor, false);
                sites++;
                return;
            }
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.min(maxStack + EXTRA_STACK, 0xFFFF), Math.max(maxLocals, firstFreeLocal + extraLocals));
        }

        // --- constants, and what is not an instruction but ends "the instruction just before" ---------

        @Override
        public void visitInsn(int opcode) {
            super.visitInsn(opcode);
            if (opcode >= Opcodes.ICONST_M1 && opcode <= Opcodes.ICONST_5) {
                constantBefore = true;
                constant = opcode - Opcodes.ICONST_0;
            }
        }

        @Override
        public void visitLdcInsn(Object value) {
            super.visitLdcInsn(value);
            if (value instanceof Integer) {
                constantBefore = true;
                constant = (Integer) value;
            }
        }

        @Override
        public void visitLabel(Label label) {
            constantBefore = false; // a branch may land between the constant and the allocation
            super.visitLabel(label);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            constantBefore = false;
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        private boolean smallConstant(int minLength) {
            return constantBefore && constant < minLength;
        }
    }

    /** Byte size of a leaf element type descriptor character; 0 ({@code LEAF_REFERENCE}) for a reference. */
    static int leafBytes(char c) {
        switch (c) {
            case 'Z':
            case 'B':
                return 1;
            case 'C':
            case 'S':
                return 2;
            case 'I':
            case 'F':
                return 4;
            case 'J':
            case 'D':
                return 8;
            default:
                return 0;
        }
    }

    static String primitive(int atype) {
        switch (atype) {
            case Opcodes.T_BOOLEAN:
                return "Z";
            case Opcodes.T_CHAR:
                return "C";
            case Opcodes.T_FLOAT:
                return "F";
            case Opcodes.T_DOUBLE:
                return "D";
            case Opcodes.T_BYTE:
                return "B";
            case Opcodes.T_SHORT:
                return "S";
            case Opcodes.T_INT:
                return "I";
            case Opcodes.T_LONG:
                return "J";
            default:
                throw new IllegalArgumentException("newarray type " + atype);
        }
    }

    static String hookName(int atype) {
        switch (atype) {
            case Opcodes.T_BOOLEAN:
                return "Boolean";
            case Opcodes.T_CHAR:
                return "Char";
            case Opcodes.T_FLOAT:
                return "Float";
            case Opcodes.T_DOUBLE:
                return "Double";
            case Opcodes.T_BYTE:
                return "Byte";
            case Opcodes.T_SHORT:
                return "Short";
            case Opcodes.T_INT:
                return "Int";
            case Opcodes.T_LONG:
                return "Long";
            default:
                throw new IllegalArgumentException("newarray type " + atype);
        }
    }
}

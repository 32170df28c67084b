package io.heapguard.agent.bytecode;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Encodes the instructions an advice emits straight into a method's new code, so that advices keep
 * speaking {@link MethodVisitor} while no ASM reader or writer runs. Only what straight-line hook calls
 * need: loads and stores, constants, fields, calls, type and array instructions, and forward jumps to
 * labels placed in the same code. Anything else is refused, which leaves the class unguarded with one
 * warning rather than wrong.
 */
public final class CodeEmitter extends MethodVisitor {
    static final int WIDE = 196;
    static final int LDC_W = 19;
    private final ByteOutput code;
    private final ConstantPool pool;
    private final Map<Label, Integer> labels = new IdentityHashMap<>();
    /** Pairs of (position of the jump instruction, index into {@link #jumpTargets}). */
    private final List<int[]> jumps = new ArrayList<>();
    private final List<Label> jumpTargets = new ArrayList<>();

    CodeEmitter(ByteOutput code, ConstantPool pool) {
        super(Opcodes.ASM9);
        this.code = code;
        this.pool = pool;
    }

    @Override
    public void visitInsn(int opcode) {
        code.u1(opcode);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        switch (opcode) {
            case Opcodes.BIPUSH, Opcodes.NEWARRAY -> code.u1(opcode).u1(operand);
            case Opcodes.SIPUSH -> code.u1(opcode).u2(operand);
            default -> throw unsupported("int instruction " + opcode);
        }
    }

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
        boolean load = opcode >= Opcodes.ILOAD && opcode <= Opcodes.ALOAD;
        boolean store = opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE;
        if (!load && !store) {
            throw unsupported("local variable instruction " + opcode);
        }
        if (varIndex <= 3) { // iload_0 = 26, istore_0 = 59: four per type
            code.u1((load ? 26 + (opcode - Opcodes.ILOAD) * 4 : 59 + (opcode - Opcodes.ISTORE) * 4) + varIndex);
        } else if (varIndex <= 0xff) {
            code.u1(opcode).u1(varIndex);
        } else {
            code.u1(WIDE).u1(opcode).u2(varIndex);
        }
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        code.u1(opcode).u2(pool.classIndex(type));
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
        code.u1(opcode).u2(pool.fieldRef(owner, name, descriptor));
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        code.u1(opcode).u2(pool.methodRef(owner, name, descriptor, isInterface));
        if (opcode == Opcodes.INVOKEINTERFACE) {
            code.u1(Type.getArgumentsAndReturnSizes(descriptor) >> 2).u1(0); // argument slots, 'this' included
        }
    }

    @Override
    public void visitLdcInsn(Object value) {
        int index;
        if (value instanceof Integer i) {
            index = pool.integer(i);
        } else if (value instanceof String s) {
            index = pool.string(s);
        } else {
            throw unsupported("constant " + value);
        }
        if (index <= 0xff) {
            code.u1(Opcodes.LDC).u1(index);
        } else {
            code.u1(LDC_W).u2(index);
        }
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
        if (opcode == Opcodes.JSR || opcode == Opcodes.GOTO) {
            throw unsupported("jump " + opcode); // a conditional forward jump is all a hook call needs
        }
        jumps.add(new int[] {code.position(), jumpTargets.size()});
        jumpTargets.add(label);
        code.u1(opcode).u2(0);
    }

    @Override
    public void visitLabel(Label label) {
        labels.put(label, code.position());
    }

    /** Where {@code label} was placed, or -1. */
    public int positionOf(Label label) {
        Integer at = labels.get(label);
        return at == null ? -1 : at;
    }

    /** Fills in the jumps emitted so far; every label they name must have been placed. */
    void resolveJumps() {
        for (int[] jump : jumps) {
            int target = positionOf(jumpTargets.get(jump[1]));
            if (target < 0) {
                throw unsupported("a jump to a label never placed");
            }
            code.u2At(jump[0] + 1, target - jump[0]);
        }
        jumps.clear();
        jumpTargets.clear();
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
        throw unsupported("iinc");
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        throw unsupported("tableswitch");
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        throw unsupported("lookupswitch");
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
        throw unsupported("multianewarray");
    }

    @Override
    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
        throw unsupported("a try block"); // the method rewriter owns the exception table
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        throw unsupported("a frame"); // the method rewriter owns the frames
    }

    private static UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("heapguard's code emitter does not emit " + what);
    }
}

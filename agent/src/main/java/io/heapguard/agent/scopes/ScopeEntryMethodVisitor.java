package io.heapguard.agent.scopes;

import java.util.ArrayList;
import java.util.List;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.InstructionWatcher;
import io.heapguard.agent.bytecode.IntConstant;
import io.heapguard.agent.bytecode.WrappedBody;

/**
 * The code around one scope entry method, in {@link WrappedBody}'s shape:
 *
 * <pre>
 *   token = ScopeHooks.enter(index)
 *   try {
 *       original body, each return preceded by ScopeHooks.exit(token)
 *   } catch (Throwable t) {
 *       ScopeHooks.exit(token); throw t;
 *   }
 * </pre>
 *
 * The token takes slot {@code max_locals}, after every local the method has, so nothing is renumbered.
 * The class is read with {@code EXPAND_FRAMES}: each frame of the method gets the token appended (its
 * locals padded with {@code TOP} up to the slot), and the handler gets a frame of its own in which only
 * the token is defined. Max stack and locals are set here, so the writer computes nothing and loads no
 * class.
 */
final class ScopeEntryMethodVisitor extends InstructionWatcher {
    static final String HOOKS = "io/heapguard/internal/ScopeHooks";
    private static final String OBJECT = "java/lang/Object";

    private final int index;
    private final int slot;
    private final boolean frames;
    private final WrappedBody body = new WrappedBody() {
        @Override
        protected void beforeReturn(MethodVisitor mv, int opcode) {
            exit(mv);
        }

        @Override
        protected void onThrow(MethodVisitor mv) {
            if (frames) {
                Object[] locals = new Object[slot + 1];
                for (int i = 0; i < slot; i++) {
                    locals[i] = Opcodes.TOP;
                }
                locals[slot] = OBJECT;
                mv.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
            }
            exit(mv);
        }
    };

    ScopeEntryMethodVisitor(int api, MethodVisitor mv, int index, int maxLocals, boolean frames) {
        super(api, mv);
        this.index = index;
        this.slot = maxLocals;
        this.frames = frames;
    }

    @Override
    public void visitCode() {
        super.visitCode();
        IntConstant.push(mv, index);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "enter", "(I)Ljava/lang/Object;", false);
        body.start(mv, slot);
    }

    @Override
    protected void instruction() {
        body.emitted();
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        if (type != Opcodes.F_NEW) {
            throw new IllegalStateException("expected expanded frames (ClassReader.EXPAND_FRAMES)");
        }
        List<Object> locals = new ArrayList<>(numLocal + 4);
        int slots = 0;
        for (int i = 0; i < numLocal; i++) {
            Object t = local[i];
            locals.add(t);
            slots += t == Opcodes.LONG || t == Opcodes.DOUBLE ? 2 : 1;
        }
        while (slots < slot) {
            locals.add(Opcodes.TOP);
            slots++;
        }
        locals.add(OBJECT);
        super.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), numStack, stack);
    }

    @Override
    public void visitInsn(int opcode) {
        if (!body.atReturn(mv, opcode)) {
            super.visitInsn(opcode);
        }
    }

    private void exit(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.ALOAD, slot);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "exit", "(Ljava/lang/Object;)V", false);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        body.end(mv);
        // the token on top of whatever a return leaves; the handler's throwable and token; enter's index
        super.visitMaxs(Math.max(maxStack + 1, 2), Math.max(maxLocals, slot + 1));
    }
}

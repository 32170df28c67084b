package io.heapguard.agent.netty;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * One Netty method and the call into {@code io.heapguard.internal.NettyHooks} woven at its entry. The call
 * charges (or refuses, by throwing) and binds the charge itself, so nothing follows it: no new local, no
 * handler around the body, and the class keeps its own stack map frames, which spares the transformer from
 * loading the application's classes to compute new ones.
 */
abstract class NettyHook {
    static final String HOOKS = "io/heapguard/internal/NettyHooks";

    /** Simple class name inside {@code io/netty/buffer/}, e.g. {@code PooledByteBuf}. */
    final String simpleName;
    final String method;
    /** The descriptor with Netty's types under {@code io/netty/buffer/}; shaded copies are matched by prefix. */
    private final String descriptor;

    NettyHook(String simpleName, String method, String descriptor) {
        this.simpleName = simpleName;
        this.method = method;
        this.descriptor = descriptor;
    }

    /** The descriptor as it reads in a copy of Netty whose packages start with {@code prefix} ("" unshaded). */
    final String descriptor(String prefix) {
        return prefix.isEmpty() ? descriptor : descriptor.replace("Lio/netty/", "L" + prefix + "io/netty/");
    }

    /**
     * Emits the entry code; {@code owner} is the instrumented class, {@code prefix} the shading prefix,
     * {@code labels} three fresh labels of this method for a hook that needs them.
     */
    abstract void enter(MethodVisitor mv, String owner, String prefix, Label[] labels);

    /** Code after the method's last instruction (a handler), or nothing. */
    void end(MethodVisitor mv, String owner, String prefix, Label[] labels) {
    }

    @Override
    public String toString() {
        return "io.netty.buffer." + simpleName + '.' + method + descriptor;
    }

    /** {@code this.<name>()} returning an int or boolean, on the instrumented class. */
    static void callOnThis(MethodVisitor mv, String owner, String name, String descriptor) {
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, owner, name, descriptor, false);
    }

    /**
     * {@code capacity(int)}: {@code NettyHooks.nettyCapacity(this, capacity(), newCapacity, maxCapacity(),
     * direct, oldIsGarbage)}, {@code direct} read from {@code isDirect()} unless the class is one or the other.
     */
    static final class Capacity extends NettyHook {
        /** {@code Boolean.TRUE}/{@code FALSE} when the class is always direct or heap; null: ask {@code isDirect()}. */
        private final Boolean direct;
        private final boolean oldIsGarbage;

        Capacity(String simpleName, Boolean direct, boolean oldIsGarbage) {
            super(simpleName, "capacity", "(I)Lio/netty/buffer/ByteBuf;");
            this.direct = direct;
            this.oldIsGarbage = oldIsGarbage;
        }

        @Override
        void enter(MethodVisitor mv, String owner, String prefix, Label[] labels) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            callOnThis(mv, owner, "capacity", "()I");
            mv.visitVarInsn(Opcodes.ILOAD, 1);
            callOnThis(mv, owner, "maxCapacity", "()I");
            if (direct == null) {
                callOnThis(mv, owner, "isDirect", "()Z");
            } else {
                mv.visitInsn(direct ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
            }
            mv.visitInsn(oldIsGarbage ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "nettyCapacity", "(Ljava/lang/Object;IIIZZ)V", false);
        }
    }

    /** {@code deallocate()}: {@code NettyHooks.nettyRelease(this, capacity())}. */
    static final class Release extends NettyHook {
        Release(String simpleName) {
            super(simpleName, "deallocate", "()V");
        }

        @Override
        void enter(MethodVisitor mv, String owner, String prefix, Label[] labels) {
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            callOnThis(mv, owner, "capacity", "()I");
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "nettyRelease", "(Ljava/lang/Object;I)V", false);
        }
    }

    /**
     * {@code CompositeByteBuf.addComponent0(boolean increaseWriterIndex, int cIndex, ByteBuf buffer)}:
     * {@code NettyHooks.nettyAddComponent(this, capacity(), buffer.readableBytes(), buffer.isDirect())}. A
     * refusal releases {@code buffer} before it leaves, as Netty does when an add fails (the caller handed
     * it over), so a refused aggregation leaks nothing: the handler covers the entry call only, and its frame
     * is the method's first one plus the exception.
     */
    static final class AddComponent extends NettyHook {
        AddComponent() {
            super("CompositeByteBuf", "addComponent0", "(ZILio/netty/buffer/ByteBuf;)I");
        }

        private static String byteBuf(String prefix) {
            return prefix + "io/netty/buffer/ByteBuf";
        }

        @Override
        void enter(MethodVisitor mv, String owner, String prefix, Label[] labels) {
            mv.visitTryCatchBlock(labels[0], labels[1], labels[2], "java/lang/Throwable");
            mv.visitLabel(labels[0]);
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            callOnThis(mv, owner, "capacity", "()I");
            mv.visitVarInsn(Opcodes.ALOAD, 3);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, byteBuf(prefix), "readableBytes", "()I", false);
            mv.visitVarInsn(Opcodes.ALOAD, 3);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, byteBuf(prefix), "isDirect", "()Z", false);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "nettyAddComponent", "(Ljava/lang/Object;IIZ)V", false);
            mv.visitLabel(labels[1]);
        }

        @Override
        void end(MethodVisitor mv, String owner, String prefix, Label[] labels) {
            mv.visitLabel(labels[2]);
            mv.visitFrame(Opcodes.F_FULL, 4, new Object[] {owner, Opcodes.INTEGER, Opcodes.INTEGER, byteBuf(prefix)},
                    1, new Object[] {"java/lang/Throwable"});
            mv.visitVarInsn(Opcodes.ALOAD, 3);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, byteBuf(prefix), "release", "()Z", false);
            mv.visitInsn(Opcodes.POP);
            mv.visitInsn(Opcodes.ATHROW);
        }
    }
}

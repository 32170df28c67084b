package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * The copies a {@code ByteArrayOutputStream} hands out, {@code toByteArray()} and every
 * {@code toString} overload: enter {@code GrowthHooks.allocate(BYTE_ARRAY_OUTPUT_STREAM, this.count)}, bind
 * to the returned array or string. ({@code count} bytes is exact for {@code toByteArray()} and the
 * Latin-1 case of a string; a decoded string may differ.)
 */
final class ByteArrayOutputStreamCopy extends Advice {

    ByteArrayOutputStreamCopy(String name, String descriptor) {
        super(ByteArrayOutputStreamGrowth.OWNER, name, descriptor, false, GrowthPoint.BYTE_ARRAY_OUTPUT_STREAM);
    }

    @Override
    void enter(MethodVisitor mv) {
        pushPoint(mv);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, ByteArrayOutputStreamGrowth.OWNER, "count", "I");
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "allocate", "(II)Ljava/lang/Object;", false);
    }
}

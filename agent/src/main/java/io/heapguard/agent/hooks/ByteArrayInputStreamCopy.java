package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code ByteArrayInputStream.readAllBytes()}, which overrides {@code InputStream}'s with one
 * {@code Arrays.copyOfRange} of what is left (JDK 17 and 25): enter
 * {@code GrowthHooks.allocate(INPUT_STREAM_READ_ALL, count - pos)}, bind to the array it returns. (Its
 * {@code readNBytes(int)} is {@code InputStream}'s.)
 */
final class ByteArrayInputStreamCopy extends Advice {
    private static final String OWNER = "java/io/ByteArrayInputStream";

    ByteArrayInputStreamCopy() {
        super(OWNER, "readAllBytes", "()[B", false, GrowthPoint.INPUT_STREAM_READ_ALL);
    }

    @Override
    void enter(MethodVisitor mv) {
        pushPoint(mv);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, OWNER, "count", "I");
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, OWNER, "pos", "I");
        mv.visitInsn(Opcodes.ISUB);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "allocate", "(II)Ljava/lang/Object;", false);
    }
}

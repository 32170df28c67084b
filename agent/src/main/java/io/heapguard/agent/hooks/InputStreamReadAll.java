package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code InputStream.readNBytes(int)}, which {@code readAllBytes()} calls with {@code Integer.MAX_VALUE}
 * (JDK 17 and 25): it reads into chunks of {@code Math.min(remaining, DEFAULT_BUFFER_SIZE)} bytes (8 KiB
 * on 17, 16 KiB on 25), keeps them in a list, and copies them into one {@code new byte[total]} at the end.
 * <ul>
 * <li>the chunk, {@code newarray byte} right after {@code Math.min(II)I}, becomes
 *     {@code GrowthHooks.readChunk(length, totalSoFar, point)}; a new {@code long} local keeps what this
 *     call has allocated in chunks so far (see {@code readChunk} for what is charged when);</li>
 * <li>any other {@code newarray byte} (the final array, the empty one) becomes {@code GrowthHooks.newBytes};</li>
 * <li>{@code Arrays.copyOf(byte[], int)} (a single chunk trimmed) becomes {@code GrowthHooks.copyOfBytes}.</li>
 * </ul>
 */
final class InputStreamReadAll extends SizedReadAll {

    InputStreamReadAll() {
        super("java/io/InputStream", "readNBytes", "(I)[B", false, GrowthPoint.INPUT_STREAM_READ_ALL);
    }

    @Override
    boolean needsRunningTotal() {
        return true;
    }

    @Override
    int requiredSites() {
        return CHUNK | NEW_ARRAY;
    }

    @Override
    boolean newArray(MethodVisitor mv, int opcode, Object type, boolean afterMathMin, int runningTotal) {
        if (!afterMathMin || opcode != Opcodes.NEWARRAY || !Integer.valueOf(Opcodes.T_BYTE).equals(type)) {
            return super.newArray(mv, opcode, type, false, runningTotal);
        }
        mv.visitVarInsn(Opcodes.LLOAD, runningTotal);
        callHook(mv, "readChunk", "(IJI)[B");
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ARRAYLENGTH);
        mv.visitInsn(Opcodes.I2L);
        mv.visitVarInsn(Opcodes.LLOAD, runningTotal);
        mv.visitInsn(Opcodes.LADD);
        mv.visitVarInsn(Opcodes.LSTORE, runningTotal);
        return true;
    }
}

package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;

import io.heapguard.ledger.GrowthPoint;

/**
 * {@code CharArrayWriter} growth (JDK 17 and 25): each of {@code write(int)}, {@code write(char[], int, int)}
 * and {@code write(String, int, int)} grows inline, under the writer's lock, with
 * {@code buf = Arrays.copyOf(buf, Math.max(buf.length << 1, newcount))}; that call becomes
 * {@code GrowthHooks.copyOfChars}, charged two bytes a char, to the writer. ({@code toCharArray()} is not a
 * growth.)
 */
final class CharArrayWriterGrowth extends CallSiteAdvice {
    static final String OWNER = "java/io/CharArrayWriter";

    CharArrayWriterGrowth(String descriptor) {
        super(OWNER, "write", descriptor, false, GrowthPoint.CHAR_ARRAY_WRITER);
    }

    @Override
    boolean methodInsn(MethodVisitor mv, int opcode, String owner, String name, String descriptor) {
        return replaceCopyOf(mv, opcode, owner, name, descriptor, "([CI)[C", "copyOfChars");
    }
}

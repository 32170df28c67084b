package io.heapguard.agent.hooks;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import io.heapguard.ledger.GrowthPoint;

/**
 * A read-all that knows the size up front and allocates the whole array at once, growing it with
 * {@code Arrays.copyOf} should the source turn out longer (and trimming it with the same call):
 * {@code newarray byte} becomes {@code GrowthHooks.newBytes}, {@code Arrays.copyOf(byte[], int)}
 * {@code GrowthHooks.copyOfBytes}. So a rule's {@code max-buffer} refuses before anything is read.
 * ({@link InputStreamReadAll} adds the chunks of a read whose size is not known.)
 * <ul>
 * <li>{@code FileInputStream.readAllBytes()} and {@code readNBytes(int)} (JDK 17 and 25; for a file whose
 *     size is unknown they call {@code InputStream}'s, guarded by {@link InputStreamReadAll});</li>
 * <li>{@code sun.nio.ch.ChannelInputStream.readAllBytes()} and {@code readNBytes(int)}, which JDK 25 adds
 *     ({@code Files.newInputStream});</li>
 * <li>{@code Files.readAllBytes(Path)} (so {@code Files.readString}), through its private
 *     {@code Files.read(InputStream, int)} (JDK 17 and 25), as {@code Files.readAllBytes}.</li>
 * </ul>
 */
class SizedReadAll extends CallSiteAdvice {

    static SizedReadAll fileInputStream(String name, String descriptor) {
        return new SizedReadAll("java/io/FileInputStream", name, descriptor, false, GrowthPoint.INPUT_STREAM_READ_ALL);
    }

    static SizedReadAll channelInputStream(String name, String descriptor) {
        return new SizedReadAll("sun/nio/ch/ChannelInputStream", name, descriptor, false,
                GrowthPoint.INPUT_STREAM_READ_ALL);
    }

    static SizedReadAll files() {
        return new SizedReadAll("java/nio/file/Files", "read", "(Ljava/io/InputStream;I)[B", true,
                GrowthPoint.FILES_READ_ALL);
    }

    SizedReadAll(String owner, String name, String descriptor, boolean isStatic, GrowthPoint point) {
        super(owner, name, descriptor, isStatic, point);
    }

    @Override
    int requiredSites() {
        return NEW_ARRAY;
    }

    @Override
    boolean newArray(MethodVisitor mv, int opcode, Object type, boolean afterMathMin, int runningTotal) {
        if (opcode != Opcodes.NEWARRAY || !Integer.valueOf(Opcodes.T_BYTE).equals(type)) {
            return false;
        }
        callHook(mv, "newBytes", "(II)[B");
        return true;
    }

    /** The arrays are handed out: each charge is tied to its array. */
    @Override
    boolean thisOwnsTheBuffer() {
        return false;
    }

    @Override
    boolean methodInsn(MethodVisitor mv, int opcode, String owner, String name, String descriptor) {
        return replaceCopyOf(mv, opcode, owner, name, descriptor, COPY_OF_BYTES, "copyOfBytes");
    }
}

package io.heapguard.ledger;

/**
 * A place where memory grows, named as rules name it in {@code rule.<name>.targets}.
 *
 * <p>The ordinal is baked into instrumented bytecode as a constant, so constants are only ever
 * appended.
 */
public enum GrowthPoint {
    BYTE_ARRAY_OUTPUT_STREAM("ByteArrayOutputStream", true),
    BYTE_BUFFER_ALLOCATE("ByteBuffer.allocate", true),
    BYTE_BUFFER_ALLOCATE_DIRECT("ByteBuffer.allocateDirect", false),
    /** {@code StringBuilder} and {@code StringBuffer} (so {@code StringWriter}): growth and inflation to UTF-16. */
    STRING_BUILDER("StringBuilder", true),
    /** {@code CharArrayWriter}'s growth in its {@code write} methods. */
    CHAR_ARRAY_WRITER("CharArrayWriter", true),
    /** {@code InputStream.readAllBytes}/{@code readNBytes(int)} and the overrides that bypass them. */
    INPUT_STREAM_READ_ALL("InputStream.readAllBytes", true),
    /** {@code Files.readAllBytes} and {@code Files.readString}. */
    FILES_READ_ALL("Files.readAllBytes", true),
    /** {@code ArrayList} backing-array growth, charged as capacity times the reference size. */
    ARRAY_LIST("ArrayList", true),
    /** {@code ArrayDeque} backing-array growth, charged as capacity times the reference size. */
    ARRAY_DEQUE("ArrayDeque", true),
    /** {@code HashMap} table growth, charged as capacity times the reference size. */
    HASH_MAP("HashMap", true),
    /** Large arrays created in application and library code ({@code arrays.*} keys). */
    ARRAY("array", true),
    /**
     * Capacity increases of Netty's {@code ByteBuf}s (4.1 and 4.2, shaded copies too), charged to the buffer.
     * Off the heap by default; a heap buffer's growth says so when it asks (see {@code Ledger.reserveOrNull}).
     */
    NETTY_BYTE_BUF("netty.ByteBuf", false);

    private static final GrowthPoint[] VALUES = values();

    private final String targetName;
    private final boolean onHeap;

    GrowthPoint(String targetName, boolean onHeap) {
        this.targetName = targetName;
        this.onHeap = onHeap;
    }

    /** The name used in rules, the growth point table in docs/configuration.md and refusal messages. */
    public String targetName() {
        return targetName;
    }

    /** Whether the memory is taken from the Java heap, and so is subject to {@code heap.reserve}. */
    public boolean onHeap() {
        return onHeap;
    }

    public static GrowthPoint ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** The point with this target name, or {@code null}. Case-sensitive, as class names are. */
    public static GrowthPoint byTargetName(String name) {
        for (GrowthPoint p : VALUES) {
            if (p.targetName.equals(name)) {
                return p;
            }
        }
        return null;
    }
}

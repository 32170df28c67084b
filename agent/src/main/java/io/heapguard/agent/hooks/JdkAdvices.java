package io.heapguard.agent.hooks;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The advices of the growth points beyond {@code ByteArrayOutputStream} and {@code ByteBuffer}, for the
 * JDK that is running: where JDKs differ, the shape is told by the methods the class declares (one
 * {@code getDeclaredMethods()} each, well under a millisecond; a failed {@code getDeclaredMethod} would
 * cost tens of milliseconds on JDK 25 building its exception message), not by the version number, so an
 * update release that backports a change is still matched. A method the chosen shape expects and the
 * JDK lacks is then reported by the transformer in one line and left unguarded.
 *
 * <table>
 * <caption>What is hooked</caption>
 * <tr><th>target</th><th>JDK 17</th><th>JDK 25</th></tr>
 * <tr><td>{@code StringBuilder}</td>
 *     <td>{@code AbstractStringBuilder.ensureCapacityInternal(I)V} (call site), {@code inflate()V} (entry),
 *         {@code StringBuilder.toString()}, {@code StringBuffer.toString()} (entry)</td>
 *     <td>{@code AbstractStringBuilder.ensureCapacitySameCoder([BBI)[B} (call site),
 *         {@code ensureCapacityNewCoder([BBIIB)[B}, {@code inflateToUTF16([BI)[B} (entry), the same
 *         {@code toString()}s</td></tr>
 * <tr><td>{@code CharArrayWriter}</td><td colspan="2">{@code write(I)V}, {@code write([CII)V},
 *     {@code write(Ljava/lang/String;II)V} (call site)</td></tr>
 * <tr><td>{@code InputStream.readAllBytes}</td>
 *     <td colspan="2">{@code InputStream.readNBytes(I)[B} (call sites, running total),
 *         {@code FileInputStream.readAllBytes()[B}, {@code readNBytes(I)[B} (call sites),
 *         {@code ByteArrayInputStream.readAllBytes()[B} (entry); on JDK 25 also
 *         {@code sun.nio.ch.ChannelInputStream.readAllBytes()[B}, {@code readNBytes(I)[B}</td></tr>
 * <tr><td>{@code Files.readAllBytes}</td><td colspan="2">{@code Files.read(Ljava/io/InputStream;I)[B}
 *     (call sites)</td></tr>
 * <tr><td>{@code ArrayList}</td><td colspan="2">{@code grow(I)[Ljava/lang/Object;} (call sites)</td></tr>
 * <tr><td>{@code ArrayDeque}</td><td colspan="2">{@code grow(I)V} (call site), {@code addFirst},
 *     {@code addLast} (rollback)</td></tr>
 * <tr><td>{@code HashMap}</td><td colspan="2">{@code resize()[Ljava/util/HashMap$Node;} (entry),
 *     {@code putVal(ILjava/lang/Object;Ljava/lang/Object;ZZ)Ljava/lang/Object;} (rollback)</td></tr>
 * </table>
 */
public final class JdkAdvices {
    private static volatile List<Advice> forThisJdk;

    private JdkAdvices() {
    }

    /** The list for the running JDK, built once. */
    public static List<Advice> forThisJdk() {
        List<Advice> l = forThisJdk;
        if (l == null) {
            l = Collections.unmodifiableList(build(declares(StringBuilder.class.getSuperclass(), "ensureCapacityInternal"),
                    declares(bootClass("sun.nio.ch.ChannelInputStream"), "readAllBytes")));
            forThisJdk = l;
        }
        return l;
    }

    /**
     * @param legacyStringBuilder {@code AbstractStringBuilder} has JDK 17's instance helpers rather than
     *                            JDK 25's static ones
     * @param channelReadAll      {@code sun.nio.ch.ChannelInputStream} overrides the read-all methods (JDK 25)
     */
    static List<Advice> build(boolean legacyStringBuilder, boolean channelReadAll) {
        List<Advice> l = new ArrayList<>();
        if (legacyStringBuilder) {
            l.add(StringBuilderGrowth.jdk17());
            l.add(StringBuilderInflate.jdk17());
        } else {
            l.add(StringBuilderGrowth.jdk25());
            l.add(new StringBuilderNewCoder());
            l.add(StringBuilderInflate.jdk25());
        }
        l.add(StringBuilderCopy.builder());
        l.add(StringBuilderCopy.buffer());

        l.add(new CharArrayWriterGrowth("(I)V"));
        l.add(new CharArrayWriterGrowth("([CII)V"));
        l.add(new CharArrayWriterGrowth("(Ljava/lang/String;II)V"));

        l.add(new InputStreamReadAll());
        l.add(SizedReadAll.fileInputStream("readAllBytes", "()[B"));
        l.add(SizedReadAll.fileInputStream("readNBytes", "(I)[B"));
        if (channelReadAll) {
            l.add(SizedReadAll.channelInputStream("readAllBytes", "()[B"));
            l.add(SizedReadAll.channelInputStream("readNBytes", "(I)[B"));
        }
        l.add(new ByteArrayInputStreamCopy());
        l.add(SizedReadAll.files());

        l.add(new ArrayListGrowth());
        l.add(new ArrayDequeGrowth());
        l.add(ArrayDequeAddRollback.addFirst());
        l.add(ArrayDequeAddRollback.addLast());
        l.add(new HashMapResize());
        l.add(new HashMapPutRollback());
        return l;
    }

    private static Class<?> bootClass(String name) {
        try {
            return Class.forName(name, false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static boolean declares(Class<?> c, String methodName) {
        if (c == null) {
            return false;
        }
        try {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(methodName)) {
                    return true;
                }
            }
        } catch (RuntimeException | LinkageError e) { // a SecurityException; not named: loading it costs
            return false;
        }
        return false;
    }
}

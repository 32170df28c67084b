package io.heapguard.agent.arrays;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.heapguard.agent.hooks.WarningSink;
import io.heapguard.agent.netty.NettyTransformer;
import io.heapguard.config.Globs;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * The {@code array} guard's transformer: runs for every class an application or library class loader
 * defines and rewrites the array allocations of the classes {@code arrays.include}/{@code arrays.exclude}
 * select (see {@link ArrayRewriter}).
 *
 * <p>Never touched: classes of the bootstrap and platform class loaders (the JDK), of the packages
 * {@code java.}, {@code jdk.}, {@code sun.}, {@code com.sun.}, and heapguard's own ({@code io.heapguard.},
 * except its test and benchmark applications in {@code io.heapguard.it.apps.arrays.} and
 * {@code io.heapguard.bench.arrays.}), and the Netty classes that make its buffers' arrays (its buffer package and
 * {@code PlatformDependent}), whose memory growth point {@code netty.ByteBuf} charges to the buffer that uses
 * it rather than to whoever allocates an arena's chunk.
 *
 * <p>Cheap for the classes it leaves alone (most): a look at the name, then {@link ClassScan}'s pass over the
 * bytecode, and the JVM gets {@code null} ("unchanged"). A class whose major version is newer than this
 * ASM reads is left alone. Any failure leaves the class as it was (the first few are reported, one line
 * each): the application must never fail because of the guard.
 */
public final class ArrayTransformer implements ClassFileTransformer {
    /** Newest class file major version ASM 9.9.1 reads (Java 26). */
    static final int MAX_MAJOR = Opcodes.V26 & 0xFFFF;
    static final int MAX_WARNINGS = 10;

    private static final String[] NEVER = {"java/", "jdk/", "sun/", "com/sun/", "io/heapguard/"};
    private static final String[] HEAPGUARD_APPS = {"io/heapguard/it/apps/arrays/", "io/heapguard/bench/arrays/"};

    private final List<String> include;
    private final List<String> exclude;
    private final boolean everything;
    private final Thresholds thresholds;
    private final WarningSink sink;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong rewritten = new AtomicLong();
    private final AtomicLong sites = new AtomicLong();
    private final AtomicLong scanNanos = new AtomicLong();
    private final AtomicLong rewriteNanos = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();

    ArrayTransformer(List<String> include, List<String> exclude, Thresholds thresholds, WarningSink sink) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.everything = exclude.isEmpty() && include.contains("*");
        this.thresholds = thresholds;
        this.sink = sink;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null || loader == null || loader == platform || classfileBuffer == null) {
            return null;
        }
        try {
            if (!selected(className)) {
                return null;
            }
            return instrument(classfileBuffer);
        } catch (Throwable t) {
            failed(className, t);
            return null;
        }
    }

    /** Whether the class (internal name) is instrumented: not the JDK's or heapguard's, and selected by the globs. */
    boolean selected(String internalName) {
        for (String p : NEVER) {
            if (internalName.startsWith(p)) {
                if (!p.equals("io/heapguard/")) {
                    return false;
                }
                boolean app = false;
                for (String a : HEAPGUARD_APPS) {
                    app |= internalName.startsWith(a);
                }
                if (!app) {
                    return false;
                }
            }
        }
        if (NettyTransformer.isNettyMemory(internalName)) {
            return false;
        }
        if (everything) {
            return true;
        }
        String name = internalName.replace('/', '.');
        return Globs.matchesAny(include, name) && !Globs.matchesAny(exclude, name);
    }

    /**
     * Scans and rewrites a class of the agent's own once, result discarded, so that ASM's reader and
     * writer are loaded, verified and past their first interpreted runs before the application's first
     * class needs them: on a cold JVM the first rewrites cost milliseconds each (Jetty's start-up: 28
     * classes rewritten in 50-69 ms). Meant for a background thread; never throws. Counts nothing.
     *
     * @return whether the rewrite ran to the end
     */
    public boolean warmUp() {
        // From the class path: this class is usually defined in the bootstrap loader, which has no such resource.
        try (java.io.InputStream in = ClassLoader.getSystemResourceAsStream(
                WarmUp.class.getName().replace('.', '/') + ".class")) {
            if (in == null) {
                return false;
            }
            byte[] classfile = in.readAllBytes();
            ClassReader reader = new ClassReader(classfile);
            ClassScan scan = ClassScan.scan(reader, classfile, thresholds);
            if (scan == null) {
                return false;
            }
            ClassWriter writer = new NoLoadingClassWriter(reader);
            ArrayRewriter rewriter = new ArrayRewriter(writer, scan, thresholds);
            reader.accept(rewriter, 0);
            return writer.toByteArray().length > 0 && rewriter.sites > 0;
        } catch (Throwable e) {
            return false; // only a head start: the first application class does the same work if this could not
        }
    }

    /** The rewritten class file, or {@code null} when the class allocates nothing the guard checks. */
    byte[] instrument(byte[] classfile) {
        seen.incrementAndGet();
        if (classfile.length < 10) {
            return null;
        }
        int major = ((classfile[6] & 0xFF) << 8) | (classfile[7] & 0xFF);
        if (major > MAX_MAJOR || major < 45) {
            return null;
        }
        long start = System.nanoTime();
        ClassReader reader = new ClassReader(classfile);
        ClassScan scan = ClassScan.scan(reader, classfile, thresholds);
        long scanned = System.nanoTime();
        scanNanos.addAndGet(scanned - start);
        if (scan == null) {
            return null;
        }
        try {
            ClassWriter writer = new NoLoadingClassWriter(reader);
            ArrayRewriter rewriter = new ArrayRewriter(writer, scan, thresholds);
            reader.accept(rewriter, 0);
            if (rewriter.sites == 0) {
                return null;
            }
            byte[] result = writer.toByteArray();
            rewritten.incrementAndGet();
            sites.addAndGet(rewriter.sites);
            return result;
        } finally {
            rewriteNanos.addAndGet(System.nanoTime() - scanned);
        }
    }

    private void failed(String className, Throwable t) {
        int n = failures.incrementAndGet();
        if (n <= MAX_WARNINGS) {
            sink.warn("heapguard: could not add the array guard to " + className.replace('/', '.') + " (" + t
                    + "); its arrays are not guarded" + (n == MAX_WARNINGS ? " (further such classes are not reported)" : ""));
        }
    }

    /** Classes looked at (past the name checks). */
    public long classesSeen() {
        return seen.get();
    }

    public long classesRewritten() {
        return rewritten.get();
    }

    /** Allocation sites rewritten. */
    public long sitesRewritten() {
        return sites.get();
    }

    /** Wall time spent reading and scanning class files, in nanoseconds (all threads together). */
    public long scanNanos() {
        return scanNanos.get();
    }

    /** Wall time spent rewriting the classes that needed it, in nanoseconds (all threads together). */
    public long rewriteNanos() {
        return rewriteNanos.get();
    }

    public int failures() {
        return failures.get();
    }

    /**
     * Frames are never computed (see {@link ArrayRewriter}), so this writer never needs to load a class. Should
     * ASM ask anyway (a method grown past a 32 KiB jump, whose frames ASM must insert), the class is left
     * alone rather than loading classes from inside a transformer.
     */
    static final class NoLoadingClassWriter extends ClassWriter {
        NoLoadingClassWriter(ClassReader reader) {
            super(reader, 0);
        }

        @Override
        protected String getCommonSuperClass(String type1, String type2) {
            throw new UnsupportedOperationException("would need to load " + type1 + " and " + type2);
        }

        @Override
        protected ClassLoader getClassLoader() {
            throw new UnsupportedOperationException("no class loading while transforming");
        }
    }
}

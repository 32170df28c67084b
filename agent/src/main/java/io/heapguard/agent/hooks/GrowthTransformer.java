package io.heapguard.agent.hooks;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.objectweb.asm.Opcodes;

import io.heapguard.agent.bytecode.ClassFileEditor;
import io.heapguard.agent.bytecode.MethodRewriter;

/**
 * Instruments the bootstrap classes the advices name; registered with {@code canRetransform = true} so
 * that a later retransformation (by anyone) keeps the hooks. Any other class costs one map look-up.
 *
 * <p>A method an advice expects but this JDK lacks is reported once, as one line naming the class, the
 * method and the growth point, and left unguarded; the class's other advices still apply.
 */
public final class GrowthTransformer implements ClassFileTransformer {

    private final Map<String, List<Advice>> byClass = new HashMap<>();
    private final WarningSink sink;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** Classes whose instrumented form the JVM rejected: left alone from then on, also when others retransform. */
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();

    public GrowthTransformer(List<Advice> advices, WarningSink sink) {
        for (Advice a : advices) {
            List<Advice> list = byClass.get(a.owner());
            if (list == null) { // no lambda: a first lambda costs start-up time
                list = new ArrayList<>();
                byClass.put(a.owner(), list);
            }
            list.add(a);
        }
        this.sink = sink;
    }

    /** Binary names of the classes to retransform, e.g. {@code java.io.ByteArrayOutputStream}. */
    public Set<String> targetClassNames() {
        Set<String> names = new LinkedHashSet<>();
        for (String internal : byClass.keySet()) {
            names.add(internal.replace('/', '.'));
        }
        return names;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader != null || className == null) {
            return null;
        }
        List<Advice> advices = byClass.get(className);
        if (advices == null || disabled.contains(className)) {
            return null;
        }
        try {
            return instrument(className, classfileBuffer, advices);
        } catch (Throwable t) {
            warnOnce(className + "!", "heapguard: could not instrument " + className.replace('/', '.') + " ("
                    + t + "); " + targetNames(advices) + " stay unguarded there");
            return null;
        }
    }

    /**
     * Stops instrumenting a class, e.g. after {@code retransformClasses} rejected what this transformer
     * made of it: a later retransformation by anyone then gets the class as it was.
     *
     * @param binaryName {@code java.io.ByteArrayOutputStream}
     */
    public void disable(String binaryName) {
        disabled.add(binaryName.replace('.', '/'));
    }

    /**
     * The instrumented class file, or {@code null} when no advised method is present. The advised methods'
     * code is rewritten where it lies ({@link MethodRewriter}), the rest of the class copied byte for byte:
     * no ASM reader or writer runs on this start-up path.
     */
    byte[] instrument(String className, byte[] classfile, List<Advice> advices) {
        ClassFileEditor file = new ClassFileEditor(classfile);
        boolean[] applied = new boolean[advices.size()];
        boolean any = false;
        for (int m = 0; m < file.methodCount(); m++) {
            for (int i = 0; i < applied.length; i++) {
                Advice a = advices.get(i);
                if (!applied[i] && file.isNamed(m, a.name()) // the cheap test first: this runs interpreted
                        && a.matches(file.access(m), a.name(), file.descriptor(m))) {
                    applied[i] = true;
                    file.replaceCode(m, weave(file, m, a));
                    any = true;
                    break;
                }
            }
        }
        for (int i = 0; i < advices.size(); i++) {
            if (!applied[i]) {
                Advice a = advices.get(i);
                warnOnce(a.owner() + '.' + a.name() + a.descriptor(), "heapguard: " + a.javaSignature()
                        + " is not in this JDK (" + Runtime.version() + "); growth point '"
                        + a.point().targetName() + "' is not guarded there");
            }
        }
        return any ? file.toByteArray() : null;
    }

    /** The advised method's new {@code Code} attribute. */
    private static byte[] weave(ClassFileEditor file, int method, Advice advice) {
        int access = file.access(method);
        CallSiteAdvice site = advice instanceof CallSiteAdvice c ? c : null;
        MethodRewriter rewriter = new MethodRewriter(file.classfile(), file.pool(), file.codeAttribute(method),
                file.className(), (access & Opcodes.ACC_STATIC) != 0, file.name(method), file.descriptor(method),
                site == null ? MethodRewriter.OBJECT_LOCAL : CallSiteWeaver.localFor(site, access));
        return rewriter.rewrite(site == null ? new EntryWeaver(advice) : new CallSiteWeaver(site));
    }

    private void warnOnce(String key, String line) {
        if (warned.add(key)) {
            sink.warn(line);
        }
    }

    private static String targetNames(List<Advice> advices) {
        Set<String> names = new LinkedHashSet<>();
        for (Advice a : advices) {
            names.add("'" + a.point().targetName() + "'");
        }
        return String.join(", ", names);
    }
}

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

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;

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

    /** The instrumented class file, or {@code null} when no advised method is present. */
    byte[] instrument(String className, byte[] classfile, List<Advice> advices) {
        ClassReader reader = new ClassReader(classfile);
        BootClassWriter writer = new BootClassWriter(reader);
        AdviceClassVisitor visitor = new AdviceClassVisitor(Opcodes.ASM9, writer, advices);
        reader.accept(visitor, ClassReader.SKIP_FRAMES);
        for (int i = 0; i < advices.size(); i++) {
            if (!visitor.applied(i)) {
                Advice a = advices.get(i);
                warnOnce(a.owner() + '.' + a.name() + a.descriptor(), "heapguard: " + a.javaSignature()
                        + " is not in this JDK (" + Runtime.version() + "); growth point '"
                        + a.point().targetName() + "' is not guarded there");
            }
        }
        return visitor.appliedAny() ? writer.toByteArray() : null;
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

package io.heapguard.agent.hooks;

import java.util.List;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;

/** Applies the advices of one class to the methods they name (by name, descriptor and static-ness). */
final class AdviceClassVisitor extends ClassVisitor {

    private final List<Advice> advices;
    private final boolean[] applied;

    AdviceClassVisitor(int api, ClassVisitor cv, List<Advice> advices) {
        super(api, cv);
        this.advices = advices;
        this.applied = new boolean[advices.size()];
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                     String[] exceptions) {
        MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
        if (mv != null) {
            for (int i = 0; i < applied.length; i++) {
                Advice a = advices.get(i);
                if (!applied[i] && a.matches(access, name, descriptor)) {
                    applied[i] = true;
                    return a instanceof CallSiteAdvice
                            ? new CallSiteMethodVisitor(api, mv, access, descriptor, (CallSiteAdvice) a)
                            : new AdviceMethodVisitor(api, mv, access, descriptor, a);
                }
            }
        }
        return mv;
    }

    boolean applied(int i) {
        return applied[i];
    }

    boolean appliedAny() {
        for (boolean b : applied) {
            if (b) {
                return true;
            }
        }
        return false;
    }
}

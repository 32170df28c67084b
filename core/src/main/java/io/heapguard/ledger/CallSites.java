package io.heapguard.ledger;

import java.util.function.Function;
import java.util.stream.Stream;

/** Finds the code that asked for memory: the first frame outside the JDK and heapguard. */
final class CallSites {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final Function<Stream<StackWalker.StackFrame>, String> FIRST_CALLER = new FirstCaller();

    private CallSites() {
    }

    static boolean isInfrastructure(String className) {
        return className.startsWith("java.")
                || className.startsWith("javax.")
                || className.startsWith("jdk.")
                || className.startsWith("sun.")
                || className.startsWith("com.sun.")
                || isHeapguard(className);
    }

    private static boolean isHeapguard(String className) {
        if (!className.startsWith("io.heapguard.")) {
            return false;
        }
        String rest = className.substring("io.heapguard.".length());
        return rest.startsWith("internal.") || rest.startsWith("ledger.") || rest.startsWith("config.")
                || rest.startsWith("agent.") || rest.startsWith("shaded.")
                || rest.startsWith("HeapGuard") || rest.startsWith("QuotaScope")
                || rest.startsWith("QuotaExceededException");
    }

    /** The calling class, walking the live stack; only when a rule with {@code callers} needs it. */
    static String callerClass() {
        return WALKER.walk(FIRST_CALLER);
    }

    static StackTraceElement callSite(StackTraceElement[] trace) {
        for (StackTraceElement e : trace) {
            if (!isInfrastructure(e.getClassName())) {
                return e;
            }
        }
        return trace.length > 0 ? trace[trace.length - 1] : null;
    }

    /** The trace without heapguard's own frames on top, so it starts at the growth point. */
    static StackTraceElement[] trimHeapguardFrames(StackTraceElement[] trace) {
        int skip = 0;
        while (skip < trace.length && isHeapguard(trace[skip].getClassName())) {
            skip++;
        }
        if (skip == 0 || skip == trace.length) {
            return trace;
        }
        StackTraceElement[] trimmed = new StackTraceElement[trace.length - skip];
        System.arraycopy(trace, skip, trimmed, 0, trimmed.length);
        return trimmed;
    }

    /** Not a lambda: core runs early in the JVM's life and inside JDK classes, so it avoids invokedynamic. */
    private static final class FirstCaller implements Function<Stream<StackWalker.StackFrame>, String> {
        @Override
        public String apply(Stream<StackWalker.StackFrame> frames) {
            java.util.Iterator<StackWalker.StackFrame> it = frames.iterator();
            while (it.hasNext()) {
                String name = it.next().getClassName();
                if (!isInfrastructure(name)) {
                    return name;
                }
            }
            return null;
        }
    }
}

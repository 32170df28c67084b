package io.heapguard.ledger;

import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Finds the code that asked for memory: the first frame outside the JDK and heapguard; for a Netty buffer,
 * also outside Netty (shaded copies included), or Netty's own frame when nothing else is on the stack (a
 * pipeline that only Netty's handlers run).
 */
final class CallSites {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final Function<Stream<StackWalker.StackFrame>, String> FIRST_CALLER = new FirstCaller(false);
    private static final Function<Stream<StackWalker.StackFrame>, String> FIRST_CALLER_OUTSIDE_NETTY =
            new FirstCaller(true);

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

    /** Netty's classes, also where an application or library shades them ({@code io.grpc.netty.shaded.io.netty.}). */
    static boolean isNetty(String className) {
        return className.startsWith("io.netty.") || className.contains(".io.netty.");
    }

    /** Whether a growth of {@code point} looks past Netty's frames for its caller. */
    private static boolean skipsNetty(GrowthPoint point) {
        return point == GrowthPoint.NETTY_BYTE_BUF;
    }

    /** The calling class, walking the live stack; only when a rule with {@code callers} needs it. */
    static String callerClass(GrowthPoint point) {
        return WALKER.walk(skipsNetty(point) ? FIRST_CALLER_OUTSIDE_NETTY : FIRST_CALLER);
    }

    static StackTraceElement callSite(StackTraceElement[] trace, GrowthPoint point) {
        StackTraceElement firstNetty = null;
        boolean skipNetty = skipsNetty(point);
        for (StackTraceElement e : trace) {
            String name = e.getClassName();
            if (isInfrastructure(name)) {
                continue;
            }
            if (!skipNetty || !isNetty(name)) {
                return e;
            }
            if (firstNetty == null) {
                firstNetty = e;
            }
        }
        if (firstNetty != null) {
            return firstNetty;
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
        private final boolean skipNetty;

        FirstCaller(boolean skipNetty) {
            this.skipNetty = skipNetty;
        }

        @Override
        public String apply(Stream<StackWalker.StackFrame> frames) {
            String firstNetty = null;
            java.util.Iterator<StackWalker.StackFrame> it = frames.iterator();
            while (it.hasNext()) {
                String name = it.next().getClassName();
                if (isInfrastructure(name)) {
                    continue;
                }
                if (!skipNetty || !isNetty(name)) {
                    return name;
                }
                if (firstNetty == null) {
                    firstNetty = name;
                }
            }
            return firstNetty;
        }
    }
}

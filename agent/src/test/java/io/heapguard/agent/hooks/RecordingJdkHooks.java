package io.heapguard.agent.hooks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stands in for {@code io.heapguard.internal.GrowthHooks} in a renamed copy of an instrumented JDK collection
 * ({@link InstrumentedArrayDequeTest}): the call-site hooks it uses, recording each call, refusing with
 * {@link #refusal} when set; only an {@link IllegalStateException} counts as a refusal.
 */
public final class RecordingJdkHooks {
    public static final List<String> calls = new ArrayList<>();
    public static RuntimeException refusal;

    private RecordingJdkHooks() {
    }

    static void reset() {
        calls.clear();
        refusal = null;
    }

    public static Object[] copyOfRefs(Object[] original, int newLength, Object owner, int point) {
        calls.add("copyOfRefs(" + original.length + "," + newLength + "," + (owner == null ? "null" : "this") + ","
                + point + ")");
        if (refusal != null) {
            throw refusal;
        }
        return Arrays.copyOf(original, newLength);
    }

    public static boolean isRefusal(Throwable t) {
        calls.add("isRefusal(" + t.getMessage() + ")");
        return t instanceof IllegalStateException;
    }
}

package io.heapguard.agent.hooks;

import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for {@code io.heapguard.internal.GrowthHooks} in a renamed copy of an instrumented JDK class:
 * same static methods and descriptors, recording each call. Each entry returns a fresh token, or throws
 * {@link #refusal} when set.
 */
public final class RecordingHooks {
    public static final List<String> calls = new ArrayList<>();
    public static final List<Object> bound = new ArrayList<>();
    public static RuntimeException refusal;
    private static int tokens;

    private RecordingHooks() {
    }

    static void reset() {
        calls.clear();
        bound.clear();
        refusal = null;
        tokens = 0;
    }

    private static Object enter(String call) {
        calls.add(call);
        if (refusal != null) {
            throw refusal;
        }
        return "token" + ++tokens;
    }

    public static Object byteArrayOutputStreamGrowth(int currentCapacity, int minCapacity) {
        return enter("growth(" + currentCapacity + "," + minCapacity + ")");
    }

    public static Object allocate(int point, int bytes) {
        return enter("allocate(" + point + "," + bytes + ")");
    }

    public static Object allocateDirect(int capacity) {
        return enter("allocateDirect(" + capacity + ")");
    }

    public static void bind(Object reservation, Object allocated) {
        calls.add("bind(" + reservation + ")");
        bound.add(allocated);
    }

    public static void bindOwner(Object reservation, Object owner) {
        calls.add("bindOwner(" + reservation + ")");
        bound.add(owner);
    }

    public static void abandon(Object reservation) {
        calls.add("abandon(" + reservation + ")");
    }
}

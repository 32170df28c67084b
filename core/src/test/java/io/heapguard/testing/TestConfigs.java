package io.heapguard.testing;

import io.heapguard.config.ConfigLoader;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Keys;
import io.heapguard.config.Mode;
import io.heapguard.config.RuleConfig;
import io.heapguard.ledger.Platform;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/** Configurations built directly, so ledger tests do not depend on the parser. */
public final class TestConfigs {
    private final List<RuleConfig> rules = new ArrayList<>();
    private Mode mode = Mode.ENFORCE;
    private long heapReserve = 0;
    private long globalLimit = -1;
    private long trackMin = 1;

    public static TestConfigs config() {
        return new TestConfigs();
    }

    public TestConfigs mode(Mode m) {
        mode = m;
        return this;
    }

    public TestConfigs heapReserve(long bytes) {
        heapReserve = bytes;
        return this;
    }

    public TestConfigs globalLimit(long bytes) {
        globalLimit = bytes;
        return this;
    }

    public TestConfigs trackMin(long bytes) {
        trackMin = bytes;
        return this;
    }

    public TestConfigs rule(String name, String targets, String callers, long maxBuffer, long limit) {
        rules.add(new RuleConfig(name, List.of(targets.split(",")),
                callers.isEmpty() ? List.of() : List.of(callers.split(",")), maxBuffer, limit));
        return this;
    }

    public HeapGuardConfig build() {
        // The defaults of an unknown heap: every share of it (heap.reserve, health.min-headroom) is 0.
        return ConfigLoader.defaults(0).with(Keys.MODE, mode).with(Keys.HEAP_RESERVE, heapReserve)
                .with(Keys.GLOBAL_LIMIT, globalLimit).with(Keys.TRACK_MIN, trackMin).withRules(rules);
    }

    /** A platform that waits for the JDK's reference handler, as the agent's does (needs --add-exports). */
    public static final Platform JDK_PLATFORM = new Platform() {
        private final Object access;
        private final Method wait;

        {
            try {
                Object a = Class.forName("jdk.internal.access.SharedSecrets").getMethod("getJavaLangRefAccess")
                        .invoke(null);
                access = a;
                wait = Class.forName("jdk.internal.access.JavaLangRefAccess").getMethod("waitForReferenceProcessing");
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("run tests with --add-exports java.base/jdk.internal.access=ALL-UNNAMED", e);
            }
        }

        @Override
        public boolean waitForReferenceProcessing() throws InterruptedException {
            try {
                return (Boolean) wait.invoke(access);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    /** Never collects: refusals are decided on what the ledger holds, nothing else. */
    public static final Platform NO_COLLECTION = new Platform() {
        @Override
        public boolean waitForReferenceProcessing() {
            return false;
        }

        @Override
        public boolean collect() {
            return true;
        }
    };
}

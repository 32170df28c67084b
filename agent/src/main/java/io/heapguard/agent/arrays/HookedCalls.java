package io.heapguard.agent.arrays;

import java.util.HashSet;
import java.util.Set;

/**
 * The JDK methods whose call sites the array guard redirects to {@code io.heapguard.internal.ArrayHooks}:
 * a static method there of the same name and descriptor, so only the owner of the {@code invokestatic}
 * changes. An overload not listed (one a future JDK adds) is left alone.
 */
final class HookedCalls {
    static final String HOOKS = "io/heapguard/internal/ArrayHooks";
    static final String ARRAYS = "java/util/Arrays";
    static final String ARRAY = "java/lang/reflect/Array";

    private static final Set<String> ARRAYS_METHODS = new HashSet<>();
    private static final Set<String> ARRAY_METHODS = new HashSet<>();

    static {
        for (String t : new String[] {"Z", "B", "C", "S", "I", "F", "J", "D", "Ljava/lang/Object;"}) {
            ARRAYS_METHODS.add("copyOf([" + t + "I)[" + t);
            ARRAYS_METHODS.add("copyOfRange([" + t + "II)[" + t);
        }
        ARRAYS_METHODS.add("copyOf([Ljava/lang/Object;ILjava/lang/Class;)[Ljava/lang/Object;");
        ARRAYS_METHODS.add("copyOfRange([Ljava/lang/Object;IILjava/lang/Class;)[Ljava/lang/Object;");
        ARRAY_METHODS.add("newInstance(Ljava/lang/Class;I)Ljava/lang/Object;");
        ARRAY_METHODS.add("newInstance(Ljava/lang/Class;[I)Ljava/lang/Object;");
    }

    private HookedCalls() {
    }

    /** Whether an {@code invokestatic owner.name desc} is redirected. */
    static boolean isHooked(String owner, String name, String descriptor) {
        if (ARRAYS.equals(owner)) {
            return name.startsWith("copyOf") && ARRAYS_METHODS.contains(name + descriptor);
        }
        if (ARRAY.equals(owner)) {
            return name.equals("newInstance") && ARRAY_METHODS.contains(name + descriptor);
        }
        return false;
    }

    /** Every redirected {@code name + descriptor}, for tests. */
    static Set<String> all(String owner) {
        return Set.copyOf(ARRAYS.equals(owner) ? ARRAYS_METHODS : ARRAY_METHODS);
    }
}

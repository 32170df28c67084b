package io.heapguard.config;

/**
 * One {@code scope.<name>.*} group: a budget opened around every call of a method, with no code change.
 *
 * @param name       the scope's name, used in refusals as {@code scope:<name>}
 * @param className  the entry method's class, binary name ({@code com.example.Handler})
 * @param methodName the entry method's name ({@code handle}); every overload is covered
 * @param limitBytes the scope's budget in bytes
 */
public record ScopeConfig(String name, String className, String methodName, long limitBytes) {
}

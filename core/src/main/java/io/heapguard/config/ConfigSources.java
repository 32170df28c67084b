package io.heapguard.config;

import java.util.Map;

/**
 * Everything a configuration is read from, captured once at start-up so that a reload re-reads the
 * rules file against the same overrides.
 *
 * @param agentArgs        the {@code -javaagent:...=} string, or null
 * @param systemProperties a snapshot of {@link System#getProperties()} (only {@code heapguard.*} is read)
 * @param environment      a snapshot of {@link System#getenv()} (only {@code HEAPGUARD_*} is read)
 * @param maxHeapBytes     {@link Runtime#maxMemory()}, against which {@code 25%} is resolved
 */
public record ConfigSources(String agentArgs, Map<String, String> systemProperties, Map<String, String> environment,
                            long maxHeapBytes) {
    public ConfigSources {
        systemProperties = Map.copyOf(systemProperties);
        environment = Map.copyOf(environment);
    }

    /**
     * The sources of this JVM now: the given agent argument, the {@code heapguard.*} system properties,
     * the {@code HEAPGUARD_*} environment variables and {@link Runtime#maxMemory()}.
     *
     * @param agentArgs the {@code -javaagent:...=} string, or null
     */
    public static ConfigSources ofRuntime(String agentArgs) {
        java.util.HashMap<String, String> properties = new java.util.HashMap<>();
        java.util.Properties system = System.getProperties();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith("heapguard.")) {
                String value = system.getProperty(name);
                if (value != null) {
                    properties.put(name, value);
                }
            }
        }
        java.util.HashMap<String, String> environment = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (e.getKey().startsWith("HEAPGUARD_") && e.getValue() != null) {
                environment.put(e.getKey(), e.getValue());
            }
        }
        return new ConfigSources(agentArgs, properties, environment, Runtime.getRuntime().maxMemory());
    }
}

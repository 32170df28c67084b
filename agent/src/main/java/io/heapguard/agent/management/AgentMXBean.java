package io.heapguard.agent.management;

import java.util.List;

/** {@code io.heapguard:type=Agent}: the agent as a whole. */
public interface AgentMXBean {
    /** {@code enforce}, {@code monitor} or {@code off}; writable live. */
    String getMode();

    void setMode(String mode);

    String getVersion();

    /** Refusals of every kind since start, enforced or (in monitor mode) only logged. */
    long getDenials();

    /** The heap reserve in bytes; writable live (0 disables it). */
    long getHeapReserveBytes();

    void setHeapReserveBytes(long bytes);

    /** One value for a readiness probe: refusal rate and heap headroom within their thresholds. */
    boolean isHealthy();

    /** {@code UP}, or {@code DOWN: } and which threshold is broken. */
    String getHealth();

    /** Refusals per second over {@code health.window}. */
    double getRefusalRate();

    /** Free heap after the last collection, in bytes. */
    long getHeapHeadroomBytes();

    /** {@code io.heapguard.denied} notifications dropped by {@code notify.max-per-second}. */
    long getDroppedNotifications();

    /** Monitor-mode log lines dropped by {@code log.max-per-minute}. */
    long getSuppressedLogLines();

    /** Collections heapguard asked for before refusing, to be sure garbage was not what stood in the way. */
    long getForcedCollections();

    /** Tracked buffers still alive (charges not yet credited): the ledger's own footprint. */
    long getLiveCharges();

    /** The rules file in use, or empty when none. */
    String getConfigFile();

    /** The maximum heap that sizes such as {@code 25%} and {@code HeapReserveBytes} are measured against. */
    long getMaxHeapBytes();

    /** Reloads of the rules file rejected because it did not load, by {@link #reload()} or the file watcher. */
    long getReloadFailures();

    /** The call sites holding the most tracked memory now, largest first: {@code 3.0 MiB at a.B.c(B.java:4)}. */
    List<String> getTopConsumers();

    /** The last refusals (at most ten), newest first, including those only logged in monitor mode. */
    List<RecentRefusal> getRecentRefusals();

    /** Re-reads the rules file (with the same agent argument, system property and environment overrides). */
    void reload();
}

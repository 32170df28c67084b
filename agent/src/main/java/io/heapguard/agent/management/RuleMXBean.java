package io.heapguard.agent.management;

/** {@code io.heapguard:type=Rule,name=<name>}: one rule's limits and what its buffers hold. */
public interface RuleMXBean {
    /** {@code rule.<name>.limit}; -1 for none; writable live. */
    long getLimitBytes();

    void setLimitBytes(long bytes);

    /** {@code rule.<name>.max-buffer}; -1 for none; writable live. */
    long getMaxBufferBytes();

    void setMaxBufferBytes(long bytes);

    long getUsedBytes();

    long getPeakBytes();

    /** Tracked growths granted under this rule. */
    long getGrants();

    long getDenials();

    void resetPeak();
}

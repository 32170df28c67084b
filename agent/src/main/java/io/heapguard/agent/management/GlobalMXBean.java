package io.heapguard.agent.management;

/** {@code io.heapguard:type=Global}: everything the guarded buffers hold together. */
public interface GlobalMXBean {
    /** {@code global.limit}; -1 for none; writable live. */
    long getLimitBytes();

    void setLimitBytes(long bytes);

    long getUsedBytes();

    long getPeakBytes();

    long getDenials();

    void resetPeak();
}

package io.heapguard.agent.management;

import io.heapguard.ledger.Refusal;

import java.time.Instant;

/**
 * One item of the Agent's {@code RecentRefusals}: mapped by the MXBean framework to {@code CompositeData}
 * whose items are the getters' names ({@code time}, {@code rule}, ...), so clients need no heapguard class.
 */
public final class RecentRefusal {
    private final String time;
    private final Refusal refusal;

    RecentRefusal(long epochMillis, Refusal refusal) {
        this.time = Instant.ofEpochMilli(epochMillis).toString();
        this.refusal = refusal;
    }

    /** ISO-8601, UTC. */
    public String getTime() {
        return time;
    }

    public String getRule() {
        return refusal.rule();
    }

    public String getTarget() {
        return refusal.point().targetName();
    }

    public long getRequestedBytes() {
        return refusal.requested();
    }

    public long getLimitBytes() {
        return refusal.limit();
    }

    public long getUsedBytes() {
        return refusal.used();
    }

    public String getCallSite() {
        return String.valueOf(refusal.callSite());
    }

    public String getThread() {
        return refusal.thread();
    }

    /** False in monitor mode: the growth went ahead. */
    public boolean isEnforced() {
        return refusal.enforced();
    }
}

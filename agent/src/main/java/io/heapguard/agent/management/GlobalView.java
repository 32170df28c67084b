package io.heapguard.agent.management;

import io.heapguard.ledger.Ledger;

final class GlobalView implements GlobalMXBean {
    private final Ledger ledger;

    GlobalView(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    public long getLimitBytes() {
        return ledger.globalLimitBytes();
    }

    @Override
    public void setLimitBytes(long bytes) {
        ledger.setGlobalLimitBytes(bytes);
    }

    @Override
    public long getUsedBytes() {
        ledger.drain();
        return ledger.global().used();
    }

    @Override
    public long getPeakBytes() {
        return ledger.global().peak();
    }

    @Override
    public long getDenials() {
        return ledger.global().denials();
    }

    @Override
    public void resetPeak() {
        ledger.global().resetPeak();
    }
}

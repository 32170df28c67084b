package io.heapguard.agent.management;

import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.LiveControl;

final class GlobalView implements GlobalMXBean {
    private final Ledger ledger;
    private final LiveControl control;

    GlobalView(Ledger ledger) {
        this.ledger = ledger;
        this.control = ledger.control();
    }

    @Override
    public long getLimitBytes() {
        return control.globalLimitBytes();
    }

    @Override
    public void setLimitBytes(long bytes) {
        control.setGlobalLimitBytes(bytes);
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

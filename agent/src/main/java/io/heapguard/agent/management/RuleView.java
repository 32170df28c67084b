package io.heapguard.agent.management;

import io.heapguard.ledger.Account;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.LiveControl;

/** Reads through to the ledger by name, so a reload that changes the rule's limits is seen at once. */
final class RuleView implements RuleMXBean {
    private final Ledger ledger;
    private final LiveControl control;
    private final String name;

    RuleView(Ledger ledger, String name) {
        this.ledger = ledger;
        this.control = ledger.control();
        this.name = name;
    }

    private Account account() {
        Account a = control.ruleAccount(name);
        if (a == null) {
            throw new IllegalStateException("rule '" + name + "' has been removed by a reload");
        }
        return a;
    }

    @Override
    public long getLimitBytes() {
        return control.ruleLimitBytes(name);
    }

    @Override
    public void setLimitBytes(long bytes) {
        control.setRuleLimitBytes(name, bytes);
    }

    @Override
    public long getMaxBufferBytes() {
        return control.ruleMaxBufferBytes(name);
    }

    @Override
    public void setMaxBufferBytes(long bytes) {
        control.setRuleMaxBufferBytes(name, bytes);
    }

    @Override
    public long getUsedBytes() {
        ledger.drain();
        return account().used();
    }

    @Override
    public long getPeakBytes() {
        return account().peak();
    }

    @Override
    public long getGrants() {
        return account().grants();
    }

    @Override
    public long getDenials() {
        return account().denials();
    }

    @Override
    public void resetPeak() {
        account().resetPeak();
    }
}

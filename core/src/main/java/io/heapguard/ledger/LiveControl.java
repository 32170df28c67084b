package io.heapguard.ledger;

import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.config.RuleConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator changes while the JVM runs (over JMX, by reloading the rules file, through the public
 * API). Every change builds a new immutable {@link Policy} and swaps it in whole under one lock, so a
 * decision sees the settings before or after a change, never half of one; a bad value is refused with the
 * attribute and the value named, before anything changes.
 */
public final class LiveControl {
    private final Ledger ledger;
    private final Refusals refusals;
    private final long maxHeap;
    private final Object lock = new Object();
    private volatile HeapGuardConfig config;

    LiveControl(Ledger ledger, Refusals refusals, HeapGuardConfig config, long maxHeap) {
        this.ledger = ledger;
        this.refusals = refusals;
        this.config = config;
        this.maxHeap = maxHeap;
    }

    /** The configuration last loaded or reloaded (live changes over JMX are not written back into it). */
    public HeapGuardConfig config() {
        return config;
    }

    public Mode mode() {
        return ledger.policy().mode;
    }

    public void setMode(Mode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("Mode must be one of enforce, monitor, off");
        }
        synchronized (lock) {
            ledger.setPolicy(ledger.policy().withMode(mode));
        }
    }

    public long heapReserveBytes() {
        return ledger.policy().heapReserve;
    }

    public void setHeapReserveBytes(long bytes) {
        if (bytes < 0 || bytes > maxHeap) {
            throw new IllegalArgumentException("HeapReserveBytes must be between 0 and the maximum heap ("
                    + maxHeap + "), was " + bytes);
        }
        synchronized (lock) {
            ledger.setPolicy(ledger.policy().withHeapReserve(bytes));
        }
    }

    public long globalLimitBytes() {
        return ledger.policy().globalLimit;
    }

    public void setGlobalLimitBytes(long bytes) {
        checkLimit("LimitBytes", bytes);
        synchronized (lock) {
            ledger.setPolicy(ledger.policy().withGlobalLimit(bytes));
        }
    }

    /** Rule names in force, sorted. */
    public List<String> ruleNames() {
        Policy p = ledger.policy();
        List<String> names = new ArrayList<>(p.rules.length);
        for (Policy.Rule r : p.rules) {
            names.add(r.name);
        }
        return names;
    }

    /** The rule's account, or null when no rule has that name (any more). */
    public Account ruleAccount(String name) {
        Policy.Rule r = ledger.policy().rule(name);
        return r == null ? null : r.account;
    }

    public long ruleLimitBytes(String name) {
        return requireRule(ledger.policy(), name).limit;
    }

    public long ruleMaxBufferBytes(String name) {
        return requireRule(ledger.policy(), name).maxBuffer;
    }

    public void setRuleLimitBytes(String name, long bytes) {
        checkLimit("LimitBytes", bytes);
        synchronized (lock) {
            Policy p = ledger.policy();
            Policy.Rule r = requireRule(p, name);
            ledger.setPolicy(p.withRuleLimits(name, r.maxBuffer, bytes));
        }
    }

    public void setRuleMaxBufferBytes(String name, long bytes) {
        checkLimit("MaxBufferBytes", bytes);
        synchronized (lock) {
            Policy p = ledger.policy();
            Policy.Rule r = requireRule(p, name);
            ledger.setPolicy(p.withRuleLimits(name, bytes, r.limit));
        }
    }

    /**
     * Swaps in a reloaded configuration whole. Accounts of rules that stay keep what they hold.
     *
     * @return the names of rules added and removed, as {@code [added, removed]}
     */
    public List<List<String>> reload(HeapGuardConfig next) {
        synchronized (lock) {
            Map<String, Account> accounts = new HashMap<>();
            for (Policy.Rule r : ledger.policy().rules) {
                accounts.put(r.name, r.account);
            }
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>(accounts.keySet());
            for (RuleConfig rc : next.rules()) {
                if (!removed.remove(rc.name())) {
                    added.add(rc.name());
                }
            }
            Collections.sort(removed);
            if (next.logMaxPerMinute() != config.logMaxPerMinute()) {
                refusals.setLogMaxPerMinute(next.logMaxPerMinute());
            }
            config = next;
            ledger.setPolicy(Policy.from(next, accounts));
            return List.of(List.copyOf(added), List.copyOf(removed));
        }
    }

    private static Policy.Rule requireRule(Policy p, String name) {
        Policy.Rule r = p.rule(name);
        if (r == null) {
            throw new IllegalArgumentException("no rule named '" + name + "'");
        }
        return r;
    }

    private static void checkLimit(String attribute, long bytes) {
        if (bytes < -1) {
            throw new IllegalArgumentException(attribute + " must be -1 (none) or at least 0, was " + bytes);
        }
    }
}

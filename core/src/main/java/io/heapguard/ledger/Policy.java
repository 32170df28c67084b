package io.heapguard.ledger;

import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.config.RuleConfig;

import java.util.Map;

/**
 * The limits in force, immutable. A live change (JMX write, reload) builds a new policy and swaps it in
 * whole, so a decision never sees half of an update. Rule accounts are carried from policy to policy by
 * name: what a rule's buffers hold survives a change of its limits.
 */
final class Policy {
    final Mode mode;
    final long heapReserve;
    final long globalLimit;
    final long trackMin;
    final Rule[] rules;
    /** Rules whose targets include the point, by point ordinal: the only rules a decision looks at. */
    final Rule[][] rulesByPoint;
    /** Below this a growth needs no decision at all; see {@link io.heapguard.internal.GrowthHooks}. */
    final long fastLimit;

    /** One rule with its matchers compiled. */
    static final class Rule {
        final String name;
        final boolean[] targets;
        final ClassGlob[] callers;
        final long maxBuffer;
        final long limit;
        final Account account;

        Rule(String name, boolean[] targets, ClassGlob[] callers, long maxBuffer, long limit, Account account) {
            this.name = name;
            this.targets = targets;
            this.callers = callers;
            this.maxBuffer = maxBuffer;
            this.limit = limit;
            this.account = account;
        }

        boolean needsCaller() {
            return callers.length > 0;
        }

        boolean matchesCaller(String callerClass) {
            if (callers.length == 0) {
                return true;
            }
            if (callerClass == null) {
                return false;
            }
            for (ClassGlob g : callers) {
                if (g.matches(callerClass)) {
                    return true;
                }
            }
            return false;
        }

        Rule withLimits(long newMaxBuffer, long newLimit) {
            return new Rule(name, targets, callers, newMaxBuffer, newLimit, account);
        }
    }

    private Policy(Mode mode, long heapReserve, long globalLimit, long trackMin, Rule[] rules) {
        this.mode = mode;
        this.heapReserve = heapReserve;
        this.globalLimit = globalLimit;
        this.trackMin = trackMin;
        this.rules = rules;
        GrowthPoint[] points = GrowthPoint.values();
        this.rulesByPoint = new Rule[points.length][];
        long smallestCap = Long.MAX_VALUE;
        for (GrowthPoint p : points) {
            int n = 0;
            for (Rule r : rules) {
                if (r.targets[p.ordinal()]) {
                    n++;
                }
            }
            Rule[] forPoint = new Rule[n];
            n = 0;
            for (Rule r : rules) {
                if (r.targets[p.ordinal()]) {
                    forPoint[n++] = r;
                }
            }
            rulesByPoint[p.ordinal()] = forPoint;
        }
        for (Rule r : rules) {
            if (r.maxBuffer >= 0) {
                smallestCap = Math.min(smallestCap, r.maxBuffer);
            }
        }
        // A request of exactly max-buffer is allowed, so the cap bites from max-buffer + 1.
        long capBites = smallestCap == Long.MAX_VALUE ? Long.MAX_VALUE : smallestCap + 1;
        this.fastLimit = mode == Mode.OFF ? Long.MAX_VALUE : Math.min(trackMin, capBites);
    }

    static Policy from(HeapGuardConfig config, Map<String, Account> existingAccounts) {
        RuleConfig[] configs = config.rules().toArray(new RuleConfig[0]);
        Rule[] rules = new Rule[configs.length];
        for (int i = 0; i < configs.length; i++) {
            RuleConfig rc = configs[i];
            boolean[] targets = new boolean[GrowthPoint.values().length];
            for (String t : rc.targets()) {
                if ("*".equals(t)) {
                    java.util.Arrays.fill(targets, true);
                } else {
                    GrowthPoint p = GrowthPoint.byTargetName(t);
                    if (p != null) {
                        targets[p.ordinal()] = true;
                    }
                }
            }
            ClassGlob[] callers = new ClassGlob[rc.callers().size()];
            for (int c = 0; c < callers.length; c++) {
                callers[c] = new ClassGlob(rc.callers().get(c));
            }
            Account account = existingAccounts.get(rc.name());
            if (account == null) {
                account = new Account(rc.name());
            }
            rules[i] = new Rule(rc.name(), targets, callers, rc.maxBufferBytes(), rc.limitBytes(), account);
        }
        return new Policy(config.mode(), config.heapReserveBytes(), config.globalLimitBytes(), config.trackMinBytes(),
                rules);
    }

    Rule rule(String name) {
        for (Rule r : rules) {
            if (r.name.equals(name)) {
                return r;
            }
        }
        return null;
    }

    Policy withMode(Mode newMode) {
        return new Policy(newMode, heapReserve, globalLimit, trackMin, rules);
    }

    Policy withHeapReserve(long bytes) {
        return new Policy(mode, bytes, globalLimit, trackMin, rules);
    }

    Policy withGlobalLimit(long bytes) {
        return new Policy(mode, heapReserve, bytes, trackMin, rules);
    }

    /** @return the new policy, or null when no rule has that name */
    Policy withRuleLimits(String name, long maxBuffer, long limit) {
        Rule[] next = rules.clone();
        for (int i = 0; i < next.length; i++) {
            if (next[i].name.equals(name)) {
                next[i] = next[i].withLimits(maxBuffer, limit);
                return new Policy(mode, heapReserve, globalLimit, trackMin, next);
            }
        }
        return null;
    }
}

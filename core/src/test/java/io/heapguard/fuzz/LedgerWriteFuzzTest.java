package io.heapguard.fuzz;

import io.heapguard.QuotaExceededException;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.ledger.Account;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.LiveControl;
import io.heapguard.ledger.Reservation;
import io.heapguard.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #8, item 5, JMX writes: the MBeans' setters call the ledger's ({@code setMode(Mode.parse(..))},
 * {@code setHeapReserveBytes}, {@code setGlobalLimitBytes}, {@code setRuleLimitBytes},
 * {@code setRuleMaxBufferBytes}, {@code reload}), so those are fuzzed here, 20,000 seeded writes interleaved with
 * growths and releases. A write is accepted exactly when the contract says it is valid (-1 or at least 0 for a
 * limit, 0 to the maximum heap for the reserve, enforce/monitor/off in any case for the mode, an existing rule);
 * an invalid one throws {@link IllegalArgumentException} with a one-line message and changes nothing; nothing else
 * is ever thrown. After every step the ledger decides as a model of the contract does (checked with a direct
 * growth point, off the heap, so no heap measurement is involved) and every account holds exactly what the model
 * says.
 */
class LedgerWriteFuzzTest {
    private static final long SEED = 0x1a5_0f_ab1eL;
    private static final String RULE = "d";
    private static final long[] HOSTILE = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1000, -2, -1, 0, 1, 63, 64, 100,
            1 << 20, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    private static final String[] MODES = {"enforce", "monitor", "off", "ENFORCE", " Monitor ", "\tOFF\n", "", " ",
            null, "enforce,", "on", "true", "0", "\u0000", "monitor\u2028", "mon", "enforced", "\uff4f\uff46\uff46",
            "o\u0301ff", "OFF OFF"};

    /** What the contract says the ledger holds. */
    private static final class Model {
        Mode mode = Mode.ENFORCE;
        long heapReserve;
        long global = -1;
        long maxBuffer = 64;
        long limit = 200;
        boolean ruleExists = true;
        /** Account generation: a rule removed and added back by reloads starts a new account. */
        int generation;
        long ruleUsed;
        long globalUsed;
    }

    /** A reservation the test holds, with what it was charged to. */
    private static final class Held {
        final Reservation reservation;
        final long bytes;
        final int generation; // -1: not charged to the rule
        final Account ruleAccount;

        Held(Reservation reservation, long bytes, int generation, Account ruleAccount) {
            this.reservation = reservation;
            this.bytes = bytes;
            this.generation = generation;
            this.ruleAccount = ruleAccount;
        }
    }

    @Test
    void everyWriteIsAppliedExactlyWhenValidAndTheLedgerFollowsIt() {
        Random r = new Random(SEED);
        Ledger ledger = Ledger.standalone(config(true, 64, 200), TestConfigs.NO_COLLECTION);
        LiveControl control = ledger.control();
        long maxHeap = ledger.maxHeapBytes();
        Model m = new Model();
        List<Held> held = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            String what = "step " + step;
            int op = r.nextInt(10);
            String kind;
            try {
                switch (op) {
                    case 0: {
                        String text = r.nextInt(3) == 0 ? MODES[r.nextInt(3)] : MODES[r.nextInt(MODES.length)];
                        Mode expected = parseOrNull(text);
                        kind = write(what + " Mode=" + HostileConfigFuzzTest.quote(text), expected != null,
                                () -> control.setMode(Mode.parse(text)));
                        if (expected != null) {
                            m.mode = expected;
                        }
                        break;
                    }
                    case 1: {
                        long v = value(r, maxHeap);
                        boolean valid = v >= 0 && v <= maxHeap;
                        kind = write(what + " HeapReserveBytes=" + v, valid, () -> control.setHeapReserveBytes(v));
                        if (valid) {
                            m.heapReserve = v;
                        }
                        break;
                    }
                    case 2: {
                        long v = value(r, maxHeap);
                        kind = write(what + " Global LimitBytes=" + v, v >= -1, () -> control.setGlobalLimitBytes(v));
                        if (v >= -1) {
                            m.global = v;
                        }
                        break;
                    }
                    case 3: {
                        long v = value(r, maxHeap);
                        String name = r.nextInt(8) == 0 ? "nope" : RULE;
                        boolean valid = v >= -1 && m.ruleExists && name.equals(RULE);
                        kind = write(what + " Rule " + name + " LimitBytes=" + v, valid,
                                () -> control.setRuleLimitBytes(name, v));
                        if (valid) {
                            m.limit = v;
                        }
                        break;
                    }
                    case 4: {
                        long v = value(r, maxHeap);
                        String name = r.nextInt(8) == 0 ? "nope" : RULE;
                        boolean valid = v >= -1 && m.ruleExists && name.equals(RULE);
                        kind = write(what + " Rule " + name + " MaxBufferBytes=" + v, valid,
                                () -> control.setRuleMaxBufferBytes(name, v));
                        if (valid) {
                            m.maxBuffer = v;
                        }
                        break;
                    }
                    case 5: { // reload: the rule kept with new limits, removed, or added back
                        boolean keep = r.nextInt(4) > 0;
                        long mb = r.nextBoolean() ? -1 : r.nextInt(300);
                        long lim = mb < 0 || r.nextBoolean() ? r.nextInt(400) : -1;
                        control.reload(config(keep, mb, lim));
                        if (keep && !m.ruleExists) {
                            m.generation++;
                            m.ruleUsed = 0;
                        }
                        m.ruleExists = keep;
                        if (keep) {
                            m.maxBuffer = mb;
                            m.limit = lim;
                        }
                        // a reload swaps the whole configuration: mode, reserve and global limit from it
                        m.mode = Mode.ENFORCE;
                        m.heapReserve = 0;
                        m.global = -1;
                        kind = "reload";
                        break;
                    }
                    case 6:
                    case 7:
                    case 8: {
                        long bytes = 1 + r.nextInt(120);
                        kind = grow(ledger, m, held, bytes, what);
                        break;
                    }
                    default: {
                        if (held.isEmpty()) {
                            kind = "nothing to release";
                            break;
                        }
                        Held h = held.remove(r.nextInt(held.size()));
                        h.reservation.abandon();
                        m.globalUsed -= h.bytes;
                        if (h.generation == m.generation && h.generation >= 0) {
                            m.ruleUsed -= h.bytes;
                        }
                        kind = "release";
                    }
                }
            } catch (Throwable t) {
                fail(what + " threw " + t, t);
                return;
            }
            counts.merge(kind, 1, Integer::sum);
            // the ledger reads back what the model says
            assertEquals(m.mode, control.mode(), what);
            assertEquals(m.heapReserve, control.heapReserveBytes(), what);
            assertEquals(m.global, control.globalLimitBytes(), what);
            assertEquals(m.globalUsed, ledger.global().used(), () -> what + " global used");
            Account rule = control.ruleAccount(RULE);
            assertEquals(m.ruleExists, rule != null, what);
            if (rule != null) {
                assertEquals(m.limit, control.ruleLimitBytes(RULE), what);
                assertEquals(m.maxBuffer, control.ruleMaxBufferBytes(RULE), what);
                assertEquals(m.ruleUsed, rule.used(), () -> what + " rule used");
                assertTrue(rule.used() >= 0, what);
            }
            assertTrue(ledger.global().used() >= 0, what);
        }
        for (Held h : held) {
            h.reservation.abandon();
        }
        assertEquals(0, ledger.global().used());
        System.out.println("ledger write fuzz: " + new java.util.TreeMap<>(counts));
        assertTrue(counts.getOrDefault("rejected", 0) > 1_000 && counts.getOrDefault("accepted", 0) > 1_000, counts::toString);
        assertTrue(counts.getOrDefault("refused", 0) > 500 && counts.getOrDefault("granted", 0) > 500, counts::toString);
    }

    /** One growth of a direct buffer (off the heap, so the heap reserve never applies). */
    private static String grow(Ledger ledger, Model m, List<Held> held, long bytes, String what) {
        boolean ruleApplies = m.ruleExists;
        boolean overBuffer = ruleApplies && m.maxBuffer >= 0 && bytes > m.maxBuffer;
        boolean overLimit = ruleApplies && m.limit >= 0 && m.ruleUsed + bytes > m.limit;
        boolean overGlobal = m.global >= 0 && m.globalUsed + bytes > m.global;
        boolean refused = m.mode == Mode.ENFORCE && (overBuffer || overLimit || overGlobal);
        Account ruleAccount = ledger.control().ruleAccount(RULE);
        Reservation res;
        try {
            res = ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE_DIRECT, 0, bytes);
        } catch (QuotaExceededException e) {
            assertTrue(refused, () -> what + ": refused " + bytes + " B, the model grants it: " + e.getMessage());
            String expectedRule = overBuffer || overLimit ? RULE : "global";
            assertEquals(expectedRule, e.rule(), what);
            assertFalse(e.getMessage().contains("\n"), what);
            return "refused";
        }
        assertFalse(refused, () -> what + ": granted " + bytes + " B, the model refuses it");
        if (m.mode == Mode.OFF) {
            assertNull(res, what);
            return "off";
        }
        assertNotNull(res, what);
        held.add(new Held(res, bytes, ruleApplies ? m.generation : -1, ruleAccount));
        m.globalUsed += bytes;
        if (ruleApplies) {
            m.ruleUsed += bytes;
        }
        return "granted";
    }

    private interface Write {
        void run();
    }

    /** Runs a write; checks it was accepted exactly when valid, and how it was rejected otherwise. */
    private static String write(String what, boolean valid, Write w) {
        try {
            w.run();
        } catch (IllegalArgumentException e) {
            assertFalse(valid, () -> what + " is valid but was rejected: " + e.getMessage());
            assertNotNull(e.getMessage(), what);
            assertFalse(e.getMessage().isBlank() || e.getMessage().contains("\n"), () -> what + ": " + e.getMessage());
            return "rejected";
        }
        assertTrue(valid, () -> what + " is invalid but was accepted");
        return "accepted";
    }

    private static Mode parseOrNull(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        for (Mode m : Mode.values()) {
            if (m.key().equalsIgnoreCase(t)) {
                return m;
            }
        }
        return null;
    }

    private static long value(Random r, long maxHeap) {
        switch (r.nextInt(5)) {
            case 0:
                return HOSTILE[r.nextInt(HOSTILE.length)];
            case 1:
                return r.nextLong();
            case 2:
                return maxHeap + r.nextInt(3) - 1;
            default:
                return r.nextInt(400) - 2;
        }
    }

    private static HeapGuardConfig config(boolean withRule, long maxBuffer, long limit) {
        TestConfigs c = TestConfigs.config();
        if (withRule) {
            c.rule(RULE, "ByteBuffer.allocateDirect", "", maxBuffer, limit);
        }
        return c.build();
    }
}

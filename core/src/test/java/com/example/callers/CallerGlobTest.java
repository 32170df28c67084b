package com.example.callers;

import io.heapguard.QuotaExceededException;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Lives outside io.heapguard so that it, not a heapguard frame, is the caller the rule sees. */
class CallerGlobTest {
    @Test
    void aCallersRuleAppliesOnlyToMatchingCallers() {
        Ledger ledger = Ledger.standalone(TestConfigs.config().trackMin(1 << 30)
                .rule("callers", "*", "com.example.callers.*", 10, -1)
                .rule("elsewhere", "*", "org.other.*", 5, -1).build(), TestConfigs.NO_COLLECTION);
        QuotaExceededException e = assertThrows(QuotaExceededException.class,
                () -> ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, 11));
        assertEquals("callers", e.rule());
        assertEquals(CallerGlobTest.class.getName(), e.callSite().getClassName().replaceAll("\\$.*", ""));
        ledger.control().setRuleMaxBufferBytes("callers", 100);
        assertNull(ledger.reserve(GrowthPoint.BYTE_BUFFER_ALLOCATE, 0, 11), "org.other.* does not match this caller");
    }
}

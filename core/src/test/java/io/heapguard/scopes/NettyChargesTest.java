package io.heapguard.scopes;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.QuotaScope;
import io.heapguard.internal.NettyHooks;
import io.heapguard.ledger.Account;
import io.heapguard.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import static io.heapguard.testing.TestConfigs.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The ledger side of growth point {@code netty.ByteBuf}, called as the woven Netty code calls it (a plain
 * object stands for the buffer): a growth of a buffer that frees or pools what it replaces is checked and
 * charged as its new capacity alone; a release credits at once, and only once; a refused growth leaves the
 * previous charge where it was; an unpooled heap buffer's old array counts until collected.
 */
class NettyChargesTest {
    private static final int MiB = 1 << 20;

    private static InstalledLedger install(long ruleLimit) {
        return InstalledLedger.install(config().trackMin(64 * 1024)
                .rule("netty", "netty.ByteBuf", "", 16 * MiB, ruleLimit).build(), TestConfigs.NO_COLLECTION);
    }

    private static void grow(Object buf, int from, int to) {
        NettyHooks.nettyCapacity(buf, from, to, Integer.MAX_VALUE, true, false);
    }

    @Test
    void aGrowthIsChargedAsTheNewCapacityAloneAndItsReleaseCreditsAtOnce() {
        try (InstalledLedger hg = install(20 * MiB)) {
            Account rule = hg.ledger.control().ruleAccount("netty");
            Object buf = new Object();
            grow(buf, 4 * MiB, 8 * MiB);
            grow(buf, 8 * MiB, 16 * MiB); // 8 + 16 would break the limit; the 8 are freed by the growth itself
            assertEquals(16 * MiB, rule.used());

            NettyHooks.nettyRelease(buf, 16 * MiB);
            assertEquals(0, rule.used(), "credited at release, not at collection");
            NettyHooks.nettyRelease(buf, 16 * MiB);
            assertEquals(0, rule.used(), "never twice");

            grow(buf, 0, 12 * MiB); // a pooled buffer object is recycled: it starts again from nothing
            assertEquals(12 * MiB, rule.used());
            NettyHooks.nettyRelease(buf, 12 * MiB);
            assertEquals(0, rule.used());
        }
    }

    @Test
    void aRefusedGrowthLeavesThePreviousChargeInPlace() {
        try (InstalledLedger hg = install(20 * MiB)) {
            Account rule = hg.ledger.control().ruleAccount("netty");
            Object held = new Object();
            grow(held, 0, 8 * MiB);
            Object buf = new Object();
            grow(buf, 0, 8 * MiB);
            QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> grow(buf, 8 * MiB, 16 * MiB));
            assertEquals("netty", e.rule());
            assertEquals("netty.ByteBuf", e.target());
            assertEquals(16 * MiB, rule.used(), "both buffers still charged as they were");
            assertThrows(QuotaExceededException.class, () -> grow(buf, 8 * MiB, 17 * MiB), "past max-buffer");
            NettyHooks.nettyRelease(buf, 8 * MiB);
            NettyHooks.nettyRelease(held, 8 * MiB);
            assertEquals(0, rule.used());
        }
    }

    @Test
    void belowTrackMinNothingIsChargedAndAShrinkGivesTheChargeBack() {
        try (InstalledLedger hg = install(-1)) {
            Account rule = hg.ledger.control().ruleAccount("netty");
            Object buf = new Object();
            grow(buf, 256, 32 * 1024);
            assertEquals(0, rule.used());
            grow(buf, 32 * 1024, 4 * MiB);
            assertEquals(4 * MiB, rule.used());
            grow(buf, 4 * MiB, 1024); // capacity(int) may shrink a buffer
            assertEquals(0, rule.used());
        }
    }

    @Test
    void anUnpooledHeapBufferKeepsItsOldArrayChargedUntilACollection() {
        try (InstalledLedger hg = install(-1)) {
            Account rule = hg.ledger.control().ruleAccount("netty");
            Object buf = new Object();
            NettyHooks.nettyCapacity(buf, 0, 4 * MiB, Integer.MAX_VALUE, false, true);
            NettyHooks.nettyCapacity(buf, 4 * MiB, 8 * MiB, Integer.MAX_VALUE, false, true);
            assertEquals(12 * MiB, rule.used(), "the replaced array is garbage, not yet collected");
        }
    }

    @Test
    void aScopeCapsWhatAComponentsBufferHoldsPerRequest() {
        try (InstalledLedger hg = install(-1)) {
            Object composite = new Object();
            try (QuotaScope scope = HeapGuard.scope("request", 8 * MiB)) {
                NettyHooks.nettyAddComponent(composite, 0, 4 * MiB, true);
                NettyHooks.nettyAddComponent(composite, 4 * MiB, 4 * MiB, true);
                assertEquals(8 * MiB, scope.usedBytes(), "a composite copies nothing: 8, not 4 + 8");
                QuotaExceededException e = assertThrows(QuotaExceededException.class,
                        () -> NettyHooks.nettyAddComponent(composite, 8 * MiB, 1, true));
                assertEquals("scope:request", e.rule());
                assertEquals(8 * MiB, scope.usedBytes());
                NettyHooks.nettyRelease(composite, 8 * MiB);
                assertEquals(0, scope.usedBytes());
            }
        }
    }
}

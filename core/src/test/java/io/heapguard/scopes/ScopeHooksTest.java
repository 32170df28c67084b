package io.heapguard.scopes;

import io.heapguard.QuotaExceededException;
import io.heapguard.internal.ScopeHooks;
import io.heapguard.ledger.Scope;
import io.heapguard.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import static io.heapguard.testing.TestConfigs.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an instrumented scope entry method calls: ScopeHooks.enter at its start, exit at every way out. */
class ScopeHooksTest {
    private static final long MiB = 1 << 20;

    @Test
    void anEntryOpensItsScopeOnceAndClosesItOnExit() {
        int index = ScopeHooks.define("hooks-upload", 4 * MiB);
        assertEquals(index, ScopeHooks.define("hooks-upload", 4 * MiB), "defining again keeps the index");
        assertEquals("hooks-upload", ScopeHooks.name(index));
        try (InstalledLedger hg = InstalledLedger.install(config().build(), TestConfigs.NO_COLLECTION)) {
            Object token = ScopeHooks.enter(index);
            assertNotNull(token);
            assertEquals(1, hg.ledger.currentScopes().length);
            assertEquals("hooks-upload", hg.ledger.currentScopes()[0].name());

            assertNull(ScopeHooks.enter(index), "a nested call of the entry (recursion, overloads) opens nothing");
            hg.grow(3 * MiB);
            QuotaExceededException e = assertThrows(QuotaExceededException.class, () -> hg.grow(2 * MiB));
            assertEquals("scope:hooks-upload", e.rule());
            ScopeHooks.exit(null); // the nested call's exit

            assertEquals(1, hg.ledger.currentScopes().length);
            ScopeHooks.exit(token);
            assertEquals(0, hg.ledger.currentScopes().length);
            assertTrue(((Scope) token).isClosed());
            hg.grow(8 * MiB); // no scope any more

            Object next = ScopeHooks.enter(index);
            assertNotNull(next, "the next call opens a fresh scope");
            hg.grow(3 * MiB);
            ScopeHooks.exit(next);
        }
    }

    @Test
    void withoutTheAgentAnEntryDoesNothing() {
        InstalledLedger.uninstall();
        int index = ScopeHooks.define("hooks-inert", MiB);
        assertNull(ScopeHooks.enter(index));
        ScopeHooks.exit(null);
    }

    @Test
    void unknownIndicesAndTokensAreIgnored() {
        try (InstalledLedger hg = InstalledLedger.install(config().build(), TestConfigs.NO_COLLECTION)) {
            assertNull(ScopeHooks.enter(-1));
            assertNull(ScopeHooks.enter(Integer.MAX_VALUE));
            ScopeHooks.exit("not a scope");
            assertEquals(0, hg.ledger.currentScopes().length);
        }
    }

    @Test
    void redefiningTakesTheNewLimit() {
        int index = ScopeHooks.define("hooks-redefined", MiB);
        assertEquals(index, ScopeHooks.define("hooks-redefined", 2 * MiB));
        try (InstalledLedger hg = InstalledLedger.install(config().build(), TestConfigs.NO_COLLECTION)) {
            Object token = ScopeHooks.enter(index);
            assertEquals(2 * MiB, ((Scope) token).limitBytes());
            ScopeHooks.exit(token);
            assertEquals(0, hg.ledger.currentScopes().length);
        }
        assertThrows(IllegalArgumentException.class, () -> ScopeHooks.define("", 1));
        assertThrows(IllegalArgumentException.class, () -> ScopeHooks.define("x", -1));
    }
}

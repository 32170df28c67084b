package io.heapguard.bench;

import io.heapguard.config.ConfigLoader;
import io.heapguard.config.ConfigSources;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Platform;

import java.util.Map;

/**
 * Ledgers for the ledger-only benchmarks, configured through the public parser (so a change to the
 * configuration record does not break the benchmarks), on a platform that never forces a collection.
 */
final class LedgerConfigs {
    /** Never waits for the reference handler and never forces a collection: the pure ledger. */
    static final Platform NO_COLLECTION = new Platform() {
        @Override
        public boolean waitForReferenceProcessing() {
            return false;
        }

        @Override
        public boolean collect() {
            return true;
        }
    };

    private LedgerConfigs() {
    }

    /** A standalone ledger configured as by {@code -javaagent:heapguard-agent.jar=<agentArgs>}. */
    static Ledger standalone(String agentArgs) {
        try {
            HeapGuardConfig config = ConfigLoader.load(new ConfigSources(agentArgs.isEmpty() ? null : agentArgs,
                    Map.of(), Map.of(), Runtime.getRuntime().maxMemory()));
            return Ledger.standalone(config, NO_COLLECTION);
        } catch (Exception e) {
            throw new IllegalStateException("bad ledger configuration '" + agentArgs + "'", e);
        }
    }
}

package io.heapguard.stress;

import io.heapguard.QuotaExceededException;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Reservation;
import io.heapguard.testing.TestConfigs;

/** What the ledger's stress tests share: a ledger that never collects, and growths granted or refused. */
final class Grants {
    private Grants() {
    }

    /** A standalone ledger on {@code config} whose collections never free anything, so outcomes are exact. */
    static Ledger ledger(TestConfigs config) {
        return Ledger.standalone(config.build(), TestConfigs.NO_COLLECTION);
    }

    /** A growth of {@code bytes} at {@code point}: its reservation, or null when it was refused. */
    static Reservation tryReserve(Ledger ledger, GrowthPoint point, long bytes) {
        try {
            return ledger.reserve(point, 0, bytes);
        } catch (QuotaExceededException refused) {
            return null;
        }
    }

    /** Gives back what was granted; the arbiter may, as it runs after the actors that took it. */
    static void abandon(Reservation... granted) {
        for (Reservation r : granted) {
            if (r != null) {
                r.abandon();
            }
        }
    }
}

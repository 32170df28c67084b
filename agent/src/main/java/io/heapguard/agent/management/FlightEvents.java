package io.heapguard.agent.management;

import io.heapguard.ledger.GrowthListener;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Refusal;
import io.heapguard.ledger.RefusalListener;

/** Turns the ledger's refusals and tracked growths into JFR events; costs nothing while not recording. */
final class FlightEvents implements RefusalListener, GrowthListener {
    private FlightEvents() {
    }

    static void install(Ledger ledger) {
        FlightEvents events = new FlightEvents();
        ledger.addRefusalListener(events);
        ledger.setGrowthListener(events);
    }

    @Override
    public void refused(Refusal r) {
        RefusalEvent e = new RefusalEvent();
        if (e.shouldCommit()) {
            e.rule = r.rule();
            e.target = r.point().targetName();
            e.requested = r.requested();
            e.limit = r.limit();
            e.used = r.used();
            e.callSite = String.valueOf(r.callSite());
            e.enforced = r.enforced();
            e.topConsumers = String.join("; ", r.topConsumers());
            e.commit();
        }
    }

    @Override
    public void granted(GrowthPoint point, long currentBytes, long requestedBytes) {
        GrowthEvent e = new GrowthEvent();
        if (e.shouldCommit()) {
            e.target = point.targetName();
            e.from = currentBytes;
            e.to = requestedBytes;
            e.commit();
        }
    }
}

package io.heapguard.agent.management;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

import io.heapguard.ledger.GrowthListener;
import io.heapguard.ledger.GrowthPoint;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.Refusal;
import io.heapguard.ledger.RefusalListener;

/**
 * Turns the ledger's refusals and tracked growths into JFR events, from the moment Flight Recorder is
 * initialized (a recording started, at the command line or later): loading an event class makes the JVM
 * load JFR's instrumentation, about 220 classes, and each of the JVM's full collections then walks them (on
 * Serial, -Xmx256m: the marking 4.3 ms with them, 3.1 without, of which 2.3 the bare JVM's).
 */
final class FlightEvents implements RefusalListener, GrowthListener {
    private FlightEvents() {
    }

    static void install(Ledger ledger) {
        FlightRecorder.addListener(new WhenInitialized(ledger));
    }

    /**
     * Told once Flight Recorder is initialized, at once if it is already; once only, since
     * {@code FlightRecorder.addListener} and the initialization both run under {@code PlatformRecorder}'s lock
     * (JDK 17 and 25).
     */
    private static final class WhenInitialized implements FlightRecorderListener {
        private final Ledger ledger;

        WhenInitialized(Ledger ledger) {
            this.ledger = ledger;
        }

        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            FlightEvents events = new FlightEvents();
            ledger.addRefusalListener(events);
            ledger.setGrowthListener(events);
        }
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

package io.heapguard.agent.management;

import io.heapguard.config.ConfigException;
import io.heapguard.config.ConfigLoader;
import io.heapguard.config.ConfigSources;
import io.heapguard.config.HeapGuardConfig;
import io.heapguard.config.Mode;
import io.heapguard.internal.Units;
import io.heapguard.ledger.Ledger;
import io.heapguard.ledger.LiveControl;
import io.heapguard.ledger.RateLimiter;
import io.heapguard.ledger.Refusal;
import io.heapguard.ledger.RefusalListener;

import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code io.heapguard:type=Agent}. Also the source of the {@code io.heapguard.denied} notifications and
 * the refusal-rate half of the health attribute: it listens to every refusal the ledger reports.
 */
final class AgentControl extends NotificationBroadcasterSupport implements AgentMXBean, RefusalListener {
    static final String DENIED = "io.heapguard.denied";

    private static final String[] ITEMS = {"rule", "target", "requestedBytes", "limitBytes", "usedBytes", "callSite",
            "thread", "enforced", "topConsumers", "droppedBefore"};
    private static final CompositeType REFUSAL_TYPE = refusalType();

    private final Ledger ledger;
    private final LiveControl control;
    private final ConfigSources sources;
    private final String version;
    private final RuleBeans rules;
    /** Rebuilt when a reload changes {@code notify.max-per-second} or {@code health.window}. */
    private volatile RateLimiter notifications;
    private volatile RefusalWindow window;
    private final AtomicLong droppedBeforeReloads = new AtomicLong();
    private final HeapHeadroom headroom;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    /** The last {@link #RECENT} refusals, a ring; guarded by itself. */
    private final RecentRefusal[] recent = new RecentRefusal[RECENT];
    private long recorded;
    private static final int RECENT = 10;

    AgentControl(Ledger ledger, ConfigSources sources, String version, RuleBeans rules) {
        super(new MBeanNotificationInfo(new String[] {DENIED}, Notification.class.getName(),
                "A growth was refused (or would have been, in monitor mode); user data: " + String.join(", ", ITEMS)));
        HeapGuardConfig config = ledger.control().config();
        this.ledger = ledger;
        this.control = ledger.control();
        this.sources = sources;
        this.version = version;
        this.rules = rules;
        this.notifications = new RateLimiter(config.notifyMaxPerSecond(), 1_000_000_000L);
        this.window = new RefusalWindow((int) Math.max(1, config.healthWindow().toSeconds()));
        this.headroom = new HeapHeadroom(ledger.maxHeapBytes());
    }

    @Override
    public void refused(Refusal r) {
        window.record(System.nanoTime());
        synchronized (recent) {
            recent[(int) (recorded++ % RECENT)] = new RecentRefusal(System.currentTimeMillis(), r);
        }
        long dropped = notifications.tryAcquire();
        if (dropped < 0) {
            return;
        }
        Notification n = new Notification(DENIED, Management.Names.AGENT, sequence.incrementAndGet(),
                System.currentTimeMillis(), summary(r));
        n.setUserData(toComposite(r, dropped));
        sendNotification(n);
    }

    private static String summary(Refusal r) {
        return (r.enforced() ? "refused " : "would refuse ") + Units.bytes(r.requested()) + " for "
                + r.point().targetName() + " at " + r.callSite() + " (" + r.rule() + ")";
    }

    private static CompositeData toComposite(Refusal r, long droppedBefore) {
        try {
            return new CompositeDataSupport(REFUSAL_TYPE, ITEMS, new Object[] {r.rule(), r.point().targetName(),
                    r.requested(), r.limit(), r.used(), String.valueOf(r.callSite()), r.thread(), r.enforced(),
                    String.join("; ", r.topConsumers()), droppedBefore});
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompositeType refusalType() {
        try {
            return new CompositeType("io.heapguard.Refusal", "A refused growth", ITEMS,
                    new String[] {"rule, global, heap-reserve or scope:<name>", "growth point", "bytes asked for",
                            "limit that would have been broken", "bytes held against it", "first frame outside the JDK",
                            "asking thread", "false in monitor mode", "call sites holding the most",
                            "notifications dropped since the previous one"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.LONG, SimpleType.LONG,
                            SimpleType.LONG, SimpleType.STRING, SimpleType.STRING, SimpleType.BOOLEAN,
                            SimpleType.STRING, SimpleType.LONG});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public String getMode() {
        return control.mode().key();
    }

    @Override
    public void setMode(String mode) {
        try {
            control.setMode(Mode.parse(mode));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Mode = '" + mode + "': " + e.getMessage());
        }
        AgentProperties.mode(control.mode().key());
    }

    @Override
    public String getVersion() {
        return version;
    }

    @Override
    public long getDenials() {
        return ledger.denials();
    }

    @Override
    public long getHeapReserveBytes() {
        return control.heapReserveBytes();
    }

    @Override
    public void setHeapReserveBytes(long bytes) {
        control.setHeapReserveBytes(bytes);
    }

    @Override
    public boolean isHealthy() {
        return getHealth().equals("UP");
    }

    @Override
    public String getHealth() {
        HeapGuardConfig c = control.config();
        double rate = getRefusalRate();
        if (rate > c.healthMaxRefusalsPerSecond()) {
            return "DOWN: " + String.format(Locale.ROOT, "%.2f", rate) + " refusals/s over " + c.healthWindow().toSeconds()
                    + " s, above health.max-refusal-rate " + c.healthMaxRefusalsPerSecond();
        }
        long free = getHeapHeadroomBytes();
        if (free < c.healthMinHeadroomBytes()) {
            return "DOWN: heap headroom after the last collection " + Units.bytes(free) + ", below health.min-headroom "
                    + Units.bytes(c.healthMinHeadroomBytes());
        }
        return "UP";
    }

    @Override
    public double getRefusalRate() {
        return window.ratePerSecond(System.nanoTime());
    }

    @Override
    public long getHeapHeadroomBytes() {
        return headroom.bytes();
    }

    @Override
    public long getDroppedNotifications() {
        return droppedBeforeReloads.get() + notifications.droppedTotal();
    }

    @Override
    public long getSuppressedLogLines() {
        return ledger.suppressedLogLines();
    }

    @Override
    public long getForcedCollections() {
        return ledger.forcedCollections();
    }

    @Override
    public long getLiveCharges() {
        ledger.drain();
        return ledger.liveCharges();
    }

    @Override
    public String getConfigFile() {
        return control.config().file() == null ? "" : control.config().file().toString();
    }

    @Override
    public long getMaxHeapBytes() {
        return ledger.maxHeapBytes();
    }

    @Override
    public long getReloadFailures() {
        return reloadFailures.get();
    }

    @Override
    public List<String> getTopConsumers() {
        ledger.drain();
        return ledger.topConsumers();
    }

    @Override
    public List<RecentRefusal> getRecentRefusals() {
        synchronized (recent) {
            int n = (int) Math.min(recorded, RECENT);
            List<RecentRefusal> newestFirst = new ArrayList<>(n);
            for (long i = recorded - 1; i >= recorded - n; i--) {
                newestFirst.add(recent[(int) (i % RECENT)]);
            }
            return newestFirst;
        }
    }

    @Override
    public void reload() {
        try {
            reloadOrThrow();
        } catch (ConfigException e) {
            // JMX clients may not have heapguard's classes: report with a JDK exception type.
            throw new IllegalArgumentException(rejected(e));
        }
    }

    static String rejected(ConfigException e) {
        return "reload rejected, the running rules stay: " + e.getMessage();
    }

    /**
     * What {@link #reload()} does, for the rules-file watcher as well: a file that does not load counts in
     * {@code ReloadFailures} and changes nothing.
     */
    synchronized void reloadOrThrow() throws ConfigException {
        HeapGuardConfig before = control.config();
        HeapGuardConfig next;
        try {
            next = ConfigLoader.load(sources);
        } catch (ConfigException e) {
            reloadFailures.incrementAndGet();
            throw e;
        }
        List<List<String>> changes = control.reload(next);
        rules.apply(changes.get(0), changes.get(1));
        if (next.notifyMaxPerSecond() != before.notifyMaxPerSecond()) {
            RateLimiter old = notifications;
            notifications = new RateLimiter(next.notifyMaxPerSecond(), 1_000_000_000L);
            droppedBeforeReloads.addAndGet(old.droppedTotal());
        }
        if (!next.healthWindow().equals(before.healthWindow())) {
            window = new RefusalWindow((int) Math.max(1, next.healthWindow().toSeconds()));
        }
        AgentProperties.mode(control.mode().key());
    }
}

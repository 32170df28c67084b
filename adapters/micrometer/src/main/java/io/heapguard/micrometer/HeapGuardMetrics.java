package io.heapguard.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.relation.MBeanServerNotificationFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * heapguard's figures as Micrometer meters, read from its MBeans ({@code io.heapguard:type=Agent},
 * {@code type=Global}, {@code type=Rule,name=*}) at each scrape, so the numbers are the ones a JMX client
 * reads. Rules that {@code reload()} adds get their meters and rules it removes lose them: the binder
 * follows the MBean server's registration notifications. Without the agent it binds nothing and listens to
 * nothing.
 *
 * <table>
 * <caption>Meters (bytes as base unit {@code bytes}; -1 where the MBean says "no limit")</caption>
 * <tr><th>name</th><th>type</th><th>from</th></tr>
 * <tr><td>{@code heapguard.denials}</td><td>function counter</td><td>Agent {@code Denials}</td></tr>
 * <tr><td>{@code heapguard.forced.collections}</td><td>function counter</td><td>Agent {@code ForcedCollections}</td></tr>
 * <tr><td>{@code heapguard.notifications.dropped}</td><td>function counter</td><td>Agent {@code DroppedNotifications}</td></tr>
 * <tr><td>{@code heapguard.log.suppressed}</td><td>function counter</td><td>Agent {@code SuppressedLogLines}</td></tr>
 * <tr><td>{@code heapguard.healthy}</td><td>gauge, 1 or 0</td><td>Agent {@code Healthy}</td></tr>
 * <tr><td>{@code heapguard.refusal.rate}</td><td>gauge, per second</td><td>Agent {@code RefusalRate}</td></tr>
 * <tr><td>{@code heapguard.heap.headroom}</td><td>gauge, bytes</td><td>Agent {@code HeapHeadroomBytes}</td></tr>
 * <tr><td>{@code heapguard.heap.reserve}</td><td>gauge, bytes</td><td>Agent {@code HeapReserveBytes}</td></tr>
 * <tr><td>{@code heapguard.live.charges}</td><td>gauge</td><td>Agent {@code LiveCharges}</td></tr>
 * <tr><td>{@code heapguard.global.used}, {@code .peak}, {@code .limit}</td><td>gauges, bytes</td><td>Global</td></tr>
 * <tr><td>{@code heapguard.global.denials}</td><td>function counter</td><td>Global {@code Denials}</td></tr>
 * <tr><td>{@code heapguard.rule.used}, {@code .peak}, {@code .limit}, {@code .max.buffer}</td><td>gauges, bytes,
 * tag {@code rule}</td><td>Rule</td></tr>
 * <tr><td>{@code heapguard.rule.grants}, {@code heapguard.rule.denials}</td><td>function counters, tag
 * {@code rule}</td><td>Rule</td></tr>
 * </table>
 *
 * <p>A meter whose MBean has gone (between the unregistration and the meter's removal) reads {@code NaN}.
 * {@link #close()} stops following registrations; the meters already bound stay until their registry drops them.
 */
public final class HeapGuardMetrics implements MeterBinder, AutoCloseable {
    /** Every meter name starts with this. */
    public static final String PREFIX = "heapguard.";
    /** The tag naming the rule of a {@code heapguard.rule.*} meter. */
    public static final String RULE_TAG = "rule";

    private final MBeanServer server;
    private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    /** The meters bound for each MBean in each registry, to remove when the MBean goes. */
    private final Map<MeterRegistry, Map<ObjectName, List<Meter>>> bound = new ConcurrentHashMap<>();
    private final NotificationListener registrations = this::onRegistration;
    private boolean listening;

    /** Reads the platform MBean server when the agent runs in this JVM; binds nothing otherwise. */
    public HeapGuardMetrics() {
        this(HeapGuardAgent.isRunning() ? HeapGuardAgent.server() : null);
    }

    /** @param server where heapguard's MBeans are, or null for none */
    HeapGuardMetrics(MBeanServer server) {
        this.server = server;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (server == null) {
            return;
        }
        registries.addIfAbsent(registry);
        listen();
        // Subscribed first, then queried: an MBean registered in between is bound twice, which Micrometer
        // treats as the same meter; none is missed.
        for (ObjectName name : server.queryNames(HeapGuardAgent.ALL, null)) {
            bind(registry, name);
        }
    }

    private synchronized void listen() {
        if (listening) {
            return;
        }
        MBeanServerNotificationFilter filter = new MBeanServerNotificationFilter();
        filter.enableAllObjectNames();
        try {
            server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, registrations, filter, null);
        } catch (InstanceNotFoundException e) {
            throw new IllegalStateException("the MBean server has no delegate", e);
        }
        listening = true;
    }

    private void onRegistration(Notification notification, Object handback) {
        if (!(notification instanceof MBeanServerNotification)) {
            return;
        }
        ObjectName name = ((MBeanServerNotification) notification).getMBeanName();
        if (!HeapGuardAgent.ALL.apply(name)) {
            return;
        }
        boolean registered = MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(notification.getType());
        for (MeterRegistry registry : registries) {
            if (registered) {
                bind(registry, name);
            } else {
                unbind(registry, name);
            }
        }
    }

    private void bind(MeterRegistry registry, ObjectName name) {
        List<Meter> meters = new ArrayList<>();
        if (HeapGuardAgent.AGENT.equals(name)) {
            counter(meters, registry, "denials", name, "Denials", Tags.empty(),
                    "refusals of every kind since start, enforced or (in monitor mode) only logged");
            counter(meters, registry, "forced.collections", name, "ForcedCollections", Tags.empty(),
                    "collections heapguard asked for before refusing");
            counter(meters, registry, "notifications.dropped", name, "DroppedNotifications", Tags.empty(),
                    "io.heapguard.denied notifications dropped by notify.max-per-second");
            counter(meters, registry, "log.suppressed", name, "SuppressedLogLines", Tags.empty(),
                    "monitor-mode log lines dropped by log.max-per-minute");
            gauge(meters, registry, "healthy", name, "Healthy", Tags.empty(), null,
                    "1 while the refusal rate and the heap headroom are within their health.* thresholds, else 0");
            gauge(meters, registry, "refusal.rate", name, "RefusalRate", Tags.empty(), null,
                    "refusals per second over health.window");
            gauge(meters, registry, "heap.headroom", name, "HeapHeadroomBytes", Tags.empty(), BaseUnits.BYTES,
                    "free heap after the last collection");
            gauge(meters, registry, "heap.reserve", name, "HeapReserveBytes", Tags.empty(), BaseUnits.BYTES,
                    "the heap reserve (0: none)");
            gauge(meters, registry, "live.charges", name, "LiveCharges", Tags.empty(), null,
                    "tracked buffers still alive");
        } else if (HeapGuardAgent.GLOBAL.equals(name)) {
            bytes(meters, registry, "global", name, Tags.empty(), "what the guarded buffers hold together");
            counter(meters, registry, "global.denials", name, "Denials", Tags.empty(), "refusals by global.limit");
        } else if (HeapGuardAgent.RULES.apply(name)) {
            Tags rule = Tags.of(RULE_TAG, name.getKeyProperty("name"));
            bytes(meters, registry, "rule", name, rule, "what the rule's buffers hold");
            gauge(meters, registry, "rule.max.buffer", name, "MaxBufferBytes", rule, BaseUnits.BYTES,
                    "the rule's max-buffer (-1: none)");
            counter(meters, registry, "rule.grants", name, "Grants", rule, "tracked growths granted under the rule");
            counter(meters, registry, "rule.denials", name, "Denials", rule, "refusals by the rule");
        } else {
            return;
        }
        bound.computeIfAbsent(registry, r -> new ConcurrentHashMap<>()).put(name, meters);
        if (!server.isRegistered(name)) {
            unbind(registry, name); // unregistered while we bound it: its notification may have come first
        }
    }

    private void bytes(List<Meter> meters, MeterRegistry registry, String group, ObjectName name, Tags tags,
                       String what) {
        gauge(meters, registry, group + ".used", name, "UsedBytes", tags, BaseUnits.BYTES, what);
        gauge(meters, registry, group + ".peak", name, "PeakBytes", tags, BaseUnits.BYTES,
                what + ", at most, since start or resetPeak");
        gauge(meters, registry, group + ".limit", name, "LimitBytes", tags, BaseUnits.BYTES, "the limit (-1: none)");
    }

    private void gauge(List<Meter> meters, MeterRegistry registry, String meter, ObjectName name, String attribute,
                       Tags tags, String unit, String description) {
        meters.add(Gauge.builder(PREFIX + meter, new Attribute(server, name, attribute), Attribute::read)
                .strongReference(true).tags(tags).baseUnit(unit).description(description).register(registry));
    }

    private void counter(List<Meter> meters, MeterRegistry registry, String meter, ObjectName name, String attribute,
                         Tags tags, String description) {
        // A FunctionCounter holds its state object weakly: the registry is that object (it outlives the meter),
        // the Attribute is held by the function.
        Attribute source = new Attribute(server, name, attribute);
        ToDoubleFunction<MeterRegistry> read = r -> source.read();
        meters.add(FunctionCounter.builder(PREFIX + meter, registry, read)
                .tags(tags).description(description).register(registry));
    }

    private void unbind(MeterRegistry registry, ObjectName name) {
        Map<ObjectName, List<Meter>> ofRegistry = bound.get(registry);
        List<Meter> meters = ofRegistry == null ? null : ofRegistry.remove(name);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    @Override
    public synchronized void close() {
        if (listening) {
            try {
                server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, registrations);
            } catch (InstanceNotFoundException | ListenerNotFoundException e) {
                // nothing to stop
            }
            listening = false;
        }
        registries.clear();
        bound.clear();
    }

    /** One attribute of one MBean, read when a meter is observed. */
    private static final class Attribute {
        private final MBeanServer server;
        private final ObjectName name;
        private final String attribute;

        Attribute(MBeanServer server, ObjectName name, String attribute) {
            this.server = server;
            this.name = name;
            this.attribute = attribute;
        }

        double read() {
            Object value;
            try {
                value = server.getAttribute(name, attribute);
            } catch (JMException | RuntimeException e) {
                return Double.NaN; // the MBean is gone (a rule removed by reload) or failed: no figure
            }
            if (value instanceof Boolean) {
                return (Boolean) value ? 1 : 0;
            }
            return value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
        }
    }
}

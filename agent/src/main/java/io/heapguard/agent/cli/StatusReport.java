package io.heapguard.agent.cli;

import io.heapguard.internal.Units;

import javax.management.openmbean.CompositeData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code status} shows, read once from the MBeans: one screen of text, or JSON for scripts. Sizes are
 * bytes, {@code -1} for none, as the MBeans give them; the text says them in human units.
 */
final class StatusReport {
    static final String[] AGENT = {"Version", "Mode", "Healthy", "Health", "HeapHeadroomBytes", "MaxHeapBytes",
            "HeapReserveBytes", "Denials", "ReloadFailures", "ConfigFile"};
    static final String[] GLOBAL = {"UsedBytes", "PeakBytes", "LimitBytes", "Denials"};
    static final String[] RULE = {"UsedBytes", "PeakBytes", "LimitBytes", "MaxBufferBytes", "Grants", "Denials"};
    static final String[] REFUSAL = {"time", "rule", "target", "requestedBytes", "limitBytes", "usedBytes",
            "callSite", "thread", "enforced"};

    final long pid;
    final Map<String, Object> agent;
    final Map<String, Object> global;
    /** Rule name to its attributes, sorted by name. */
    final Map<String, Map<String, Object>> rules;
    final List<String> topConsumers;
    /** Newest first; the items of {@link #REFUSAL}. */
    final List<Map<String, Object>> refusals;

    StatusReport(long pid, Map<String, Object> agent, Map<String, Object> global,
                 Map<String, Map<String, Object>> rules, List<String> topConsumers, List<Map<String, Object>> refusals) {
        this.pid = pid;
        this.agent = agent;
        this.global = global;
        this.rules = rules;
        this.topConsumers = topConsumers;
        this.refusals = refusals;
    }

    static StatusReport read(Beans beans) throws Failure {
        Map<String, Object> agent = beans.get(Beans.AGENT, AGENT);
        Map<String, Object> global = beans.get(Beans.GLOBAL, GLOBAL);
        Map<String, Map<String, Object>> rules = new LinkedHashMap<>();
        for (String name : beans.ruleNames()) {
            try {
                rules.put(name, beans.get(Beans.rule(name), RULE));
            } catch (Failure removedByAReloadMeanwhile) {
                // not in force any more: not shown
            }
        }
        Map<String, Object> lists = beans.get(Beans.AGENT, "TopConsumers", "RecentRefusals");
        List<String> top = List.of((String[]) lists.get("TopConsumers"));
        List<Map<String, Object>> refusals = new ArrayList<>();
        for (CompositeData d : (CompositeData[]) lists.get("RecentRefusals")) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (String item : REFUSAL) {
                r.put(item, d.get(item));
            }
            refusals.add(r);
        }
        return new StatusReport(beans.pid, agent, global, rules, top, refusals);
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append("heapguard ").append(agent.get("Version")).append(" in JVM ").append(pid).append(": mode ")
                .append(agent.get("Mode")).append(", ").append(agent.get("Health")).append('\n');
        b.append("heap: ").append(Units.bytes(num(agent, "MaxHeapBytes"))).append(" max, ")
                .append(Units.bytes(num(agent, "HeapHeadroomBytes"))).append(" free after the last collection, reserve ")
                .append(Units.bytes(num(agent, "HeapReserveBytes"))).append('\n');
        String file = (String) agent.get("ConfigFile");
        b.append("rules file: ").append(file.isEmpty() ? "none" : file).append(", reload failures ")
                .append(agent.get("ReloadFailures")).append('\n');
        b.append("refusals: ").append(agent.get("Denials")).append(" since start\n\n");

        String row = "%-20s %12s %12s %12s %12s %8s %8s%n";
        b.append(String.format(Locale.ROOT, row, "", "used", "peak", "limit", "max-buffer", "grants", "denials"));
        b.append(String.format(Locale.ROOT, row, "global", Units.bytes(num(global, "UsedBytes")),
                Units.bytes(num(global, "PeakBytes")), limit(num(global, "LimitBytes")), "", "", global.get("Denials")));
        for (Map.Entry<String, Map<String, Object>> e : rules.entrySet()) {
            Map<String, Object> r = e.getValue();
            b.append(String.format(Locale.ROOT, row, "rule " + e.getKey(), Units.bytes(num(r, "UsedBytes")),
                    Units.bytes(num(r, "PeakBytes")), limit(num(r, "LimitBytes")), limit(num(r, "MaxBufferBytes")),
                    r.get("Grants"), r.get("Denials")));
        }

        b.append("\ntop consumers:").append(topConsumers.isEmpty() ? " none\n" : "\n");
        for (String t : topConsumers) {
            b.append("  ").append(t).append('\n');
        }
        b.append("\nlast refusals:").append(refusals.isEmpty() ? " none\n" : "\n");
        for (Map<String, Object> r : refusals) {
            b.append("  ").append(r.get("time")).append("  ")
                    .append(Boolean.TRUE.equals(r.get("enforced")) ? "refused " : "would refuse ")
                    .append(Units.bytes(num(r, "requestedBytes"))).append(" for ").append(r.get("target"))
                    .append(" at ").append(r.get("callSite")).append(" (").append(r.get("rule")).append(", limit ")
                    .append(Units.bytes(num(r, "limitBytes"))).append(", used ").append(Units.bytes(num(r, "usedBytes")))
                    .append(", thread ").append(r.get("thread")).append(")\n");
        }
        return b.toString();
    }

    String json() {
        Json j = new Json().beginObject(null).field("pid", pid);
        j.field("version", (String) agent.get("Version"))
                .field("mode", (String) agent.get("Mode"))
                .field("healthy", (Boolean) agent.get("Healthy"))
                .field("health", (String) agent.get("Health"))
                .field("maxHeapBytes", num(agent, "MaxHeapBytes"))
                .field("heapHeadroomBytes", num(agent, "HeapHeadroomBytes"))
                .field("heapReserveBytes", num(agent, "HeapReserveBytes"))
                .field("denials", num(agent, "Denials"))
                .field("reloadFailures", num(agent, "ReloadFailures"))
                .field("configFile", (String) agent.get("ConfigFile"));
        j.beginObject("global");
        for (String a : GLOBAL) {
            j.field(lowerFirst(a), num(global, a));
        }
        j.endObject().beginArray("rules");
        for (Map.Entry<String, Map<String, Object>> e : rules.entrySet()) {
            j.beginObject(null).field("name", e.getKey());
            for (String a : RULE) {
                j.field(lowerFirst(a), num(e.getValue(), a));
            }
            j.endObject();
        }
        j.endArray().beginArray("topConsumers");
        for (String t : topConsumers) {
            j.field(null, t);
        }
        j.endArray().beginArray("recentRefusals");
        for (Map<String, Object> r : refusals) {
            j.beginObject(null);
            for (String item : REFUSAL) {
                Object v = r.get(item);
                if (v instanceof Long) {
                    j.field(item, (long) (Long) v);
                } else if (v instanceof Boolean) {
                    j.field(item, (boolean) (Boolean) v);
                } else {
                    j.field(item, String.valueOf(v));
                }
            }
            j.endObject();
        }
        return j.endArray().endObject().toString();
    }

    private static long num(Map<String, Object> values, String name) {
        return ((Number) values.get(name)).longValue();
    }

    private static String limit(long bytes) {
        return bytes < 0 ? "none" : Units.bytes(bytes);
    }

    /** {@code UsedBytes} as {@code usedBytes}. */
    private static String lowerFirst(String attribute) {
        return Character.toLowerCase(attribute.charAt(0)) + attribute.substring(1);
    }
}

package io.heapguard.it.apps.reliability;

import io.heapguard.QuotaExceededException;

import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.RuntimeOperationsException;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Issue #8, item 5, through the real MBeans: run with a rule {@code up} (ByteArrayOutputStream, max-buffer 16m,
 * limit 64m). Waits for {@code io.heapguard:type=Agent} (registered in the background), then makes {@code args[0]}
 * seeded writes of hostile values to every writable attribute (Agent Mode and HeapReserveBytes, Global LimitBytes,
 * Rule LimitBytes and MaxBufferBytes), values of the wrong type, nulls and attributes that do not exist, with a
 * few {@code reload()} and {@code resetPeak()} calls. A write is accepted exactly when the contract says it is
 * valid (and then reads back), or rejected with a JMX exception that carries one clear message and changes
 * nothing. Finally it checks the ledger obeys what was written: max-buffer set to 1 MiB refuses a 2 MiB growth.
 */
public final class JmxWriteFuzzApp {
    private static final String[] MODES = {"enforce", "monitor", "off", "ENFORCE", " Monitor ", "\tOFF\n", "", " ",
            "enforce,", "on", "true", "0", "\u0000", "monitor\u2028", "mon", "enforced", "OFF OFF"};
    private static final long[] HOSTILE = {Long.MIN_VALUE, -2, -1, 0, 1, 64, 1 << 20, Integer.MAX_VALUE,
            Long.MAX_VALUE};

    public static void main(String[] args) throws Exception {
        int writes = Integer.parseInt(args[0]);
        boolean registered = MBeans.awaitRegistered(MBeans.AGENT, 20_000)
                && MBeans.awaitRegistered(MBeans.GLOBAL, 5_000)
                && MBeans.awaitRegistered("io.heapguard:type=Rule,name=up", 5_000);
        result("registered", registered);
        if (!registered) {
            result("done", false);
            return;
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName agent = MBeans.name(MBeans.AGENT);
        ObjectName global = MBeans.name(MBeans.GLOBAL);
        ObjectName rule = MBeans.name("io.heapguard:type=Rule,name=up");
        long maxHeap = Runtime.getRuntime().maxMemory();
        Random r = new Random(0x3a3b_2024L);
        Map<String, Integer> counts = new TreeMap<>();
        int wrong = 0;
        String firstWrong = null;
        for (int i = 0; i < writes; i++) {
            ObjectName target;
            String attribute;
            Object value;
            boolean valid;
            int pick = r.nextInt(7);
            if (pick == 0) {
                target = agent;
                attribute = "Mode";
                String s = MODES[r.nextInt(MODES.length)];
                value = r.nextInt(20) == 0 ? null : s;
                valid = value != null && s.strip().toLowerCase(Locale.ROOT).matches("enforce|monitor|off");
            } else if (pick == 1) {
                target = agent;
                attribute = "HeapReserveBytes";
                long v = r.nextInt(3) == 0 ? maxHeap + r.nextInt(3) - 1 : longValue(r);
                value = v;
                valid = v >= 0 && v <= maxHeap;
            } else if (pick <= 4) {
                target = pick == 2 ? global : rule;
                attribute = pick == 4 ? "MaxBufferBytes" : "LimitBytes";
                long v = longValue(r);
                value = v;
                valid = v >= -1;
            } else if (pick == 5) { // wrong type, null, or an attribute that is not there or not writable
                target = r.nextBoolean() ? global : rule;
                int w = r.nextInt(4);
                attribute = w == 3 ? "UsedBytes" : w == 2 ? "NoSuchAttribute" : "LimitBytes";
                value = w == 0 ? "12m" : w == 1 ? null : 5L;
                valid = false;
            } else {
                String op = r.nextBoolean() ? "reload" : "resetPeak";
                ObjectName on = op.equals("reload") ? agent : r.nextBoolean() ? global : rule;
                try {
                    server.invoke(on, op, new Object[0], new String[0]);
                    count(counts, op + ".ok");
                } catch (Exception e) {
                    count(counts, op + ".failed");
                    if (firstWrong == null) {
                        firstWrong = op + " threw " + chain(e);
                    }
                    wrong++;
                }
                continue;
            }
            String what = target.getKeyPropertyList() + " " + attribute + "=" + render(value);
            Object before = readable(attribute) ? server.getAttribute(target, attribute) : null;
            try {
                server.setAttribute(target, new Attribute(attribute, value));
                Object after = server.getAttribute(target, attribute);
                Object expected = attribute.equals("Mode") ? ((String) value).strip().toLowerCase(Locale.ROOT) : value;
                if (!valid || !Objects.equals(expected, after)) {
                    wrong++;
                    if (firstWrong == null) {
                        firstWrong = what + (valid ? " read back " + render(after) : " was accepted though invalid");
                    }
                }
                count(counts, "accepted");
            } catch (Exception e) {
                Object after = readable(attribute) ? server.getAttribute(target, attribute) : null;
                String problem = valid ? "valid but rejected" : !clear(e) ? "rejected unclearly"
                        : !Objects.equals(before, after) ? "rejected but changed" : null;
                if (problem != null) {
                    wrong++;
                    if (firstWrong == null) {
                        firstWrong = what + ": " + problem + ": " + chain(e);
                    }
                }
                count(counts, "rejected." + e.getClass().getSimpleName());
            }
        }
        result("writes", writes);
        result("outcomes", counts);
        result("wrong", wrong);
        result("first-wrong", firstWrong == null ? "none" : firstWrong.replace('\n', ' '));

        // the ledger obeys what JMX wrote
        server.setAttribute(agent, new Attribute("Mode", "enforce"));
        server.setAttribute(global, new Attribute("LimitBytes", -1L));
        server.setAttribute(agent, new Attribute("HeapReserveBytes", 0L));
        server.setAttribute(rule, new Attribute("LimitBytes", -1L));
        server.setAttribute(rule, new Attribute("MaxBufferBytes", (long) MiB));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[2 * MiB], 0, 2 * MiB);
            result("obeyed", false);
        } catch (QuotaExceededException e) {
            result("obeyed", e.rule().equals("up") && e.limitBytes() == MiB);
        }
        server.setAttribute(rule, new Attribute("MaxBufferBytes", -1L));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[2 * MiB], 0, 2 * MiB);
        result("lifted", out.size() == 2 * MiB);
        result("done", true);
    }

    private static boolean readable(String attribute) {
        return !attribute.equals("NoSuchAttribute");
    }

    /**
     * A clear rejection: a JMX exception (or a runtime one wrapped by JMX) whose causes are JMX exceptions or
     * IllegalArgumentException, with a message; no NullPointerException, ClassCastException or the like.
     */
    private static boolean clear(Exception e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            boolean ok = t instanceof JMException || t instanceof RuntimeMBeanException
                    || t instanceof RuntimeOperationsException || t.getClass() == IllegalArgumentException.class;
            if (!ok) {
                return false;
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message != null;
    }

    private static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(sb.length() == 0 ? "" : " <- ").append(t);
        }
        return sb.toString();
    }

    private static long longValue(Random r) {
        switch (r.nextInt(3)) {
            case 0:
                return HOSTILE[r.nextInt(HOSTILE.length)];
            case 1:
                return r.nextLong();
            default:
                return (r.nextInt(256) - 2) * (long) MiB;
        }
    }

    private static String render(Object v) {
        if (v instanceof String) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : ((String) v).toCharArray()) {
                sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
            return sb.append('"').toString();
        }
        return String.valueOf(v);
    }

    private static void count(Map<String, Integer> counts, String key) {
        counts.merge(key, 1, Integer::sum);
    }
}

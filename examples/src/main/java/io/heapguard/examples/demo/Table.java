package io.heapguard.examples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The side-by-side table: one row per measurement, one column per run. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    private Table() {
    }

    static String render(Load.Plan plan, Run a, Run b) {
        Table t = new Table();
        t.row("", a.label, b.label);
        t.row("ordinary uploads (1-2 MiB) sent", a.results.sent.get(), b.results.sent.get());
        t.row("  served, output checked", a.results.served.get(), b.results.served.get());
        t.row("  lost", a.results.lostTotal(), b.results.lostTotal());
        TreeSet<String> reasons = new TreeSet<>();
        synchronized (a.results.lost) {
            reasons.addAll(a.results.lost.keySet());
        }
        synchronized (b.results.lost) {
            reasons.addAll(b.results.lost.keySet());
        }
        for (String reason : reasons) {
            t.row("    " + reason, count(a, reason), count(b, reason));
        }
        t.row("ordinary latency p50 / p99", latency(a), latency(b));
        t.row("oversized uploads (" + plan.oversizedBytes[0] / Load.MiB + "-"
                + plan.oversizedBytes[plan.oversizedBytes.length - 1] / Load.MiB + " MiB) sent",
                plan.oversizedBytes.length, plan.oversizedBytes.length);
        t.row("  refused: 413 too large / 503 retry later", refused(a), refused(b));
        t.row("  served", a.results.oversized(Load.Oversized.Kind.SERVED, 0),
                b.results.oversized(Load.Oversized.Kind.SERVED, 0));
        t.row("  failed (no answer) / not sent (no service)", failed(a), failed(b));
        t.row("service JVM survived", survived(a), survived(b));
        t.row("GC pauses: count / total", a.gc.pauses + " / " + ms(a.gc.pauseMillis),
                b.gc.pauses + " / " + ms(b.gc.pauseMillis));
        t.row("  of which full GCs asked by System.gc()", a.gc.systemGcs, b.gc.systemGcs);
        t.row("garbage collector", a.gc.collector, b.gc.collector);
        StringBuilder out = new StringBuilder(t.format());
        out.append('\n');
        for (Run r : new Run[] {a, b}) {
            if (!r.survived) {
                out.append(r.label).append(": the service ").append(r.ending).append('\n');
            }
        }
        out.append("lost: no correct answer (connection refused or lost, no answer within ")
                .append(Load.REQUEST_TIMEOUT.toSeconds()).append(" s, an error status, wrong output).\n");
        out.append("latency: from the scheduled send time to the whole answer, of the uploads served.\n");
        return out.toString();
    }

    private static String survived(Run r) {
        if (r.survived) {
            return "yes";
        }
        return r.exitStatus < 0 ? "no" : String.format(Locale.ROOT, "no, exit %d at %.1f s", r.exitStatus,
                r.exitSeconds);
    }

    private static Object count(Run r, String reason) {
        java.util.concurrent.atomic.AtomicInteger c = r.results.lost.get(reason);
        return c == null ? 0 : c.get();
    }

    private static String latency(Run r) {
        long p50 = r.results.percentile(50);
        long p99 = r.results.percentile(99);
        return p50 < 0 ? "-" : ms(p50 / 1e6) + " / " + ms(p99 / 1e6);
    }

    private static String refused(Run r) {
        return r.results.oversized(Load.Oversized.Kind.REFUSED, 413) + " / "
                + r.results.oversized(Load.Oversized.Kind.REFUSED, 503);
    }

    private static String failed(Run r) {
        return r.results.oversized(Load.Oversized.Kind.FAILED, 0) + " / "
                + r.results.oversized(Load.Oversized.Kind.NOT_SENT, 0);
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.0f ms", millis);
    }

    private void row(String label, Object a, Object b) {
        rows.add(new String[] {label, String.valueOf(a), String.valueOf(b)});
    }

    private String format() {
        int[] width = new int[3];
        for (String[] r : rows) {
            for (int i = 0; i < 3; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            out.append(pad(r[0], width[0], false)).append("   ").append(pad(r[1], width[1], true)).append("   ")
                    .append(pad(r[2], width[2], true)).append('\n');
        }
        return out.toString();
    }

    private static String pad(String s, int width, boolean right) {
        StringBuilder b = new StringBuilder(width);
        if (right) {
            for (int i = s.length(); i < width; i++) {
                b.append(' ');
            }
            b.append(s);
        } else {
            b.append(s);
            for (int i = s.length(); i < width; i++) {
                b.append(' ');
            }
        }
        return b.toString();
    }
}

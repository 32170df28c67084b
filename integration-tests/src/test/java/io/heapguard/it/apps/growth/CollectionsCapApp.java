package io.heapguard.it.apps.growth;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.heapguard.internal.GrowthHooks;

import static io.heapguard.it.apps.Report.result;

/**
 * Run with a rule per collection (targets ArrayList / ArrayDeque / HashMap, max-buffer 1m); argument: which one.
 * The collection is filled until a growth is refused at this class's call; then its size and content must be as
 * before the refused call, and operations that need no growth must still work. Charged: capacity times the
 * reference size, printed as {@code refbytes}.
 */
public final class CollectionsCapApp {
    private static final int LIMIT = 10_000_000;

    public static void main(String[] args) {
        result("refbytes", GrowthHooks.referenceBytes());
        switch (args[0]) {
            case "ArrayList":
                arrayList();
                break;
            case "ArrayDeque":
                arrayDeque();
                break;
            case "HashMap":
                hashMap();
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        result("done", true);
    }

    private static void arrayList() {
        List<Integer> list = new ArrayList<>();
        int n = Attempt.until("add", LIMIT, i -> list.add(i));
        result("add.size", list.size());
        result("add.intact", list.size() == n && list.get(n - 1) == n - 1 && list.get(0) == 0);
        list.remove(n - 1);
        Attempt.ok("add.usable", () -> list.add(-1));
        result("add.usable.last", list.get(list.size() - 1));

        ArrayList<Integer> presized = new ArrayList<>();
        Attempt.refused("ensure", () -> presized.ensureCapacity(1_000_000));
        result("ensure.size", presized.size());

        // addAll into a list created empty: its first array is the whole collection at once (300,000 refs)
        List<Integer> empty = new ArrayList<>();
        Attempt.refused("addall", () -> empty.addAll(Collections.nCopies(300_000, 7)));
        result("addall.size", empty.size());
        Attempt.ok("addall.usable", () -> empty.addAll(List.of(1, 2, 3)));
    }

    private static void arrayDeque() {
        for (String end : new String[] {"last", "first"}) {
            ArrayDeque<Integer> q = new ArrayDeque<>();
            boolean first = end.equals("first");
            int n = Attempt.until(end, LIMIT, i -> {
                if (first) {
                    q.addFirst(i);
                } else {
                    q.addLast(i);
                }
            });
            result(end + ".size", q.size());
            boolean intact = q.size() == n;
            Iterator<Integer> it = first ? q.descendingIterator() : q.iterator();
            for (int i = 0; intact && i < n; i++) {
                intact = it.next() == i;
            }
            result(end + ".intact", intact && !it.hasNext());
            // no growth needed: take one out, put one in
            int v = n;
            Attempt.ok(end + ".usable", () -> {
                if (first) {
                    q.pollLast();
                    q.addFirst(v);
                } else {
                    q.pollFirst();
                    q.addLast(v);
                }
            });
            result(end + ".usable.size", q.size());
            result(end + ".usable.end", first ? q.peekFirst() : q.peekLast());
        }
    }

    private static void hashMap() {
        Map<Integer, Integer> map = new HashMap<>();
        int n = fill("put", map);
        result("put.size", map.size());
        result("put.absent", !map.containsKey(n));
        boolean intact = map.size() == n;
        for (int i = 0; intact && i < n; i++) {
            intact = map.get(i) == i;
        }
        result("put.intact", intact);
        Attempt.ok("put.replace", () -> map.put(0, -1));
        result("put.replace.value", map.get(0));
        map.remove(1);
        Attempt.ok("put.usable", () -> map.put(n, n));
        result("put.usable.size", map.size());

        LinkedHashMap<Integer, Integer> linked = new LinkedHashMap<>();
        int m = fill("linked", linked);
        result("linked.size", linked.size());
        int last = -1;
        for (Integer k : linked.keySet()) {
            last = k;
        }
        result("linked.last", last == m - 1);

        HashSet<Integer> set = new HashSet<>();
        int s = Attempt.until("set", LIMIT, i -> set.add(i));
        result("set.size", set.size());
        result("set.absent", !set.contains(s));

        // putAll into an empty map sizes its first table for all 300,000 entries at once: 524,288 buckets
        TreeMap<Integer, Integer> source = new TreeMap<>();
        for (int i = 0; i < 300_000; i++) {
            source.put(i, i);
        }
        Map<Integer, Integer> copy = new HashMap<>();
        Attempt.refused("putall", () -> copy.putAll(source));
        result("putall.size", copy.size());
    }

    private static int fill(String prefix, Map<Integer, Integer> map) {
        return Attempt.until(prefix, LIMIT, i -> map.put(i, i));
    }
}

package io.heapguard.agent.management;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Free heap after the most recent collection: what monitoring tools call "heap after GC". Reading the
 * heap now would count garbage as used and make the health flap before every collection.
 */
final class HeapHeadroom {
    private final long maxHeap;
    private final Set<String> heapPools = new HashSet<>();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();

    HeapHeadroom(long maxHeap) {
        this.maxHeap = maxHeap;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
    }

    long bytes() {
        long latestEnd = -1;
        long usedAfter = -1;
        for (GarbageCollectorMXBean gc : collectors) {
            if (!(gc instanceof com.sun.management.GarbageCollectorMXBean)) {
                continue;
            }
            com.sun.management.GcInfo info = ((com.sun.management.GarbageCollectorMXBean) gc).getLastGcInfo();
            if (info == null || info.getEndTime() < latestEnd) {
                continue;
            }
            long used = 0;
            for (Map.Entry<String, MemoryUsage> e : info.getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                    used += e.getValue().getUsed();
                }
            }
            latestEnd = info.getEndTime();
            usedAfter = used;
        }
        if (usedAfter < 0) {
            usedAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        return Math.max(0, maxHeap - usedAfter);
    }
}

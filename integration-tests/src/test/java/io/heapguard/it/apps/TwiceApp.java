package io.heapguard.it.apps;

import io.heapguard.QuotaExceededException;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * Run with the agent given twice, each time with a rule {@code heap}: targets ByteBuffer.allocate, limit 48m.
 * Installed once, 16 MiB buffers are granted 3 times and refused the 4th; hooks installed twice would charge
 * each buffer twice and refuse the 2nd.
 */
public final class TwiceApp {
    public static void main(String[] args) throws Exception {
        List<ByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            try {
                held.add(ByteBuffer.allocate(16 * MiB));
            } catch (QuotaExceededException e) {
                Report.refusal("heap", e);
                break;
            }
        }
        result("heap.granted", held.size());
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        result("jmx.agent-mbeans", server.queryNames(new ObjectName("io.heapguard:type=Agent,*"), null).size());
        result("done", true);
    }
}

package io.heapguard.it.apps;

import io.heapguard.it.apps.reliability.MBeans;

import javax.management.MBeanServer;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;

import static io.heapguard.it.apps.Report.MiB;
import static io.heapguard.it.apps.Report.result;

/**
 * A rule that sets neither limit: the application grows one ByteArrayOutputStream to 96 MiB (1 MiB writes) and
 * holds it, then reads its rule's MBean in the process. Prints whether anything was refused and the rule's
 * {@code UsedBytes}, {@code PeakBytes}, {@code Grants} and {@code Denials} while the buffer is held.
 */
public final class AccountingRuleApp {
    private AccountingRuleApp() {
    }

    public static void main(String[] args) throws Exception {
        String rule = "io.heapguard:type=Rule,name=" + args[0];
        byte[] mib = new byte[MiB];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (int i = 0; i < 96; i++) {
                out.write(mib, 0, MiB);
            }
            result("refused", false);
        } catch (RuntimeException e) {
            result("refused", e.toString().replace('\n', ' '));
        }
        result("size", out.size());
        result("mbean", MBeans.awaitRegistered(rule, 30_000));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (String attribute : new String[] {"UsedBytes", "PeakBytes", "Grants", "Denials", "LimitBytes",
                "MaxBufferBytes"}) {
            result(attribute, server.getAttribute(MBeans.name(rule), attribute));
        }
        result("held", out.size() > 0);
        result("done", true);
    }
}

package io.heapguard.agent.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChangesTest {
    private static final long HEAP = 1L << 30;
    private static final Set<String> RULES = Set.of("upload");

    @Test
    void valuesAreParsedAsInARulesFileAndMappedToTheirAttributes() throws Failure {
        List<Changes.Change> changes = Changes.check(List.of("mode= Monitor ", "heap.reserve=25%", "global.limit=none",
                "rule.upload.limit=1g", "rule.upload.max-buffer=64m"), HEAP, RULES);
        assertEquals(List.of(
                new Changes.Change("mode", Beans.AGENT, "Mode", "monitor"),
                new Changes.Change("heap.reserve", Beans.AGENT, "HeapReserveBytes", HEAP / 4),
                new Changes.Change("global.limit", Beans.GLOBAL, "LimitBytes", -1L),
                new Changes.Change("rule.upload.limit", Beans.rule("upload"), "LimitBytes", HEAP),
                new Changes.Change("rule.upload.max-buffer", Beans.rule("upload"), "MaxBufferBytes", 64L << 20)),
                changes);
        assertEquals("64.0 MiB", changes.get(4).shown(changes.get(4).value()));
        assertEquals("none", changes.get(2).shown(-1L));
    }

    @Test
    void oneBadValueRejectsAllNamingKeyAndValue() {
        assertRejected("set: mode = 'monitr': not a mode (expected enforce, monitor or off); nothing changed",
                "global.limit=1g", "mode=monitr");
        assertRejected("set: heap.reserve = '2g': more than the maximum heap (1073741824 bytes); nothing changed",
                "heap.reserve=2g");
        assertRejected("set: heap.reserve = 'none': not a size (expected e.g. 65536, 64k, 16m, 2g or 25%); nothing changed",
                "heap.reserve=none");
        assertRejected("set: rule.upload.limit = '-1': negative; expected e.g. 65536, 64k, 16m, 2g, 25% or none;"
                + " nothing changed", "rule.upload.limit=-1");
        assertRejected("set: rule.other.max-buffer = '1m': no rule named 'other' (rules in force: upload); nothing changed",
                "rule.other.max-buffer=1m");
        assertRejected("set: global.limit = '2m': given twice; nothing changed", "global.limit=1m", "global.limit=2m");
    }

    private static void assertRejected(String message, String... pairs) {
        assertEquals(message, assertThrows(Failure.class, () -> Changes.check(List.of(pairs), HEAP, RULES)).getMessage());
    }
}

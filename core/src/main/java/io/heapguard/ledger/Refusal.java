package io.heapguard.ledger;

import java.util.List;

/**
 * What the ledger refused (or, in monitor mode, would have refused), as listeners see it.
 *
 * @param rule         {@code global}, {@code heap-reserve}, {@code scope:<name>} or the rule's name
 * @param perBuffer    true when the rule's {@code max-buffer} refused, false for a live limit
 * @param point        the growth point
 * @param requested    bytes asked for
 * @param limit        the limit that would have been broken
 * @param used         bytes held against it at the moment
 * @param callSite     the first frame outside the JDK and heapguard
 * @param stackTrace   the asking thread's stack, heapguard's frames trimmed
 * @param topConsumers the call sites holding the most of that quota, largest first
 * @param enforced     false in monitor mode: the growth went ahead
 * @param thread       the asking thread's name
 */
public record Refusal(String rule, boolean perBuffer, GrowthPoint point, long requested, long limit, long used,
                      StackTraceElement callSite, StackTraceElement[] stackTrace, List<String> topConsumers,
                      boolean enforced, String thread) {
}

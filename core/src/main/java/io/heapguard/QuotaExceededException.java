package io.heapguard;

import io.heapguard.internal.Units;

import java.util.List;

/**
 * A growth refused before its memory was allocated: the buffer that asked keeps its size, content and
 * capacity and stays usable.
 *
 * <p>The message is built only when asked for, so that refusing never allocates more than the
 * exception itself; it names the rule, the sizes in human units, the call site and, where the ledger
 * knew them, the call sites holding the most of the quota that refused.
 */
public class QuotaExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;
    private final long limitBytes;
    private final long usedBytes;
    private final String rule;
    private final boolean perBuffer;
    private final String target;
    private final StackTraceElement callSite;
    private final List<String> topConsumers;

    public QuotaExceededException(String rule, long requestedBytes, long limitBytes, long usedBytes,
                                  StackTraceElement callSite) {
        this(rule, false, null, requestedBytes, limitBytes, usedBytes, callSite, List.of(), null);
    }

    /**
     * @param perBuffer    true when a rule's {@code max-buffer} refused (then {@code usedBytes} is the
     *                     buffer's current capacity), false for a live limit
     * @param target       the growth point's target name ({@code ByteArrayOutputStream}, ...), or null
     * @param topConsumers lines such as {@code "48.0 MiB at com.example.Upload.read(Upload.java:40)"}
     * @param stackTrace   the trace to report (the ledger trims its own frames), or null to keep the
     *                     one filled in here
     */
    public QuotaExceededException(String rule, boolean perBuffer, String target, long requestedBytes,
                                  long limitBytes, long usedBytes, StackTraceElement callSite,
                                  List<String> topConsumers, StackTraceElement[] stackTrace) {
        super(null, null, true, true);
        this.rule = rule;
        this.perBuffer = perBuffer;
        this.target = target;
        this.requestedBytes = requestedBytes;
        this.limitBytes = limitBytes;
        this.usedBytes = usedBytes;
        this.callSite = callSite;
        this.topConsumers = topConsumers == null ? List.of() : List.copyOf(topConsumers);
        if (stackTrace != null) {
            setStackTrace(stackTrace);
        }
    }

    /** Bytes the refused growth would have allocated. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** The limit that would have been broken, in bytes. */
    public long limitBytes() {
        return limitBytes;
    }

    /**
     * Bytes already held against that limit when the growth was refused. For {@code heap-reserve}, the
     * heap in use after a collection plus the free heap the collector could not give this one array
     * (regions fragmented by a pinned humongous array on G1 before JDK 21; all but the old generation
     * for an array too large for eden on Serial and Parallel).
     */
    public long usedBytes() {
        return usedBytes;
    }

    /** True when a rule's {@code max-buffer} refused rather than a limit on what is held. */
    public boolean perBuffer() {
        return perBuffer;
    }

    /** {@code global}, {@code heap-reserve}, {@code scope:<name>} or the rule's name. */
    public String rule() {
        return rule;
    }

    /** The growth point refused ({@code ByteArrayOutputStream}, ...), or null when not known. */
    public String target() {
        return target;
    }

    /** The first frame outside the JDK and heapguard: the code that asked for the memory. */
    public StackTraceElement callSite() {
        return callSite;
    }

    /** The call sites holding the most of the refusing quota at the moment of refusal, largest first. */
    public List<String> topConsumers() {
        return topConsumers;
    }

    @Override
    public String getMessage() {
        StringBuilder m = new StringBuilder(160);
        m.append("heapguard refused ").append(Units.bytes(requestedBytes));
        if (target != null) {
            m.append(" for ").append(target);
        }
        m.append(" at ").append(callSite == null ? "an unknown call site" : callSite);
        m.append(": ");
        if ("heap-reserve".equals(rule)) {
            m.append("it would leave less than the heap reserve of ").append(Units.bytes(limitBytes))
                    .append(" free (heap in use or unusable for it ").append(Units.bytes(usedBytes)).append(')');
        } else if (perBuffer) {
            m.append("rule '").append(rule).append("' allows at most ").append(Units.bytes(limitBytes))
                    .append(" per buffer (buffer now ").append(Units.bytes(usedBytes)).append(')');
        } else {
            m.append(describeRule(rule)).append(" limit ").append(Units.bytes(limitBytes)).append(", ")
                    .append(Units.bytes(usedBytes)).append(" in use");
        }
        if (!topConsumers.isEmpty()) {
            m.append("; top consumers: ");
            for (int i = 0; i < topConsumers.size(); i++) {
                if (i > 0) {
                    m.append(", ");
                }
                m.append(topConsumers.get(i));
            }
        }
        return m.toString();
    }

    private static String describeRule(String rule) {
        if ("global".equals(rule) || rule.startsWith("scope:")) {
            return rule;
        }
        return "rule '" + rule + "'";
    }
}

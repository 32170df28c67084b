package io.heapguard.bench.pressure;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one run of {@link PressureApp} does, fixed before it starts and the same with and without the agent:
 * {@code rate} ordinary requests a second for {@code warmup} seconds unmeasured and {@code seconds} measured,
 * served by {@code workers} threads; from the start of the measured window one oversized request every
 * {@code hogPeriodMillis}; {@code liveMiB} of long-lived data; each response kept reachable for about
 * {@code retainMillis}; at most {@code drainSeconds} after the window to finish the requests due in it.
 */
record Plan(int seconds, int warmup, int rate, int workers, int hogPeriodMillis, int liveMiB, int retainMillis,
            int drainSeconds) {
    static final Set<String> OPTIONS = new LinkedHashSet<>(List.of("seconds", "warmup", "rate", "workers",
            "hog-period-ms", "live-mib", "retain-ms", "drain-seconds"));
    /** Past this many requests in one run the per-request arrays would themselves be a heap load. */
    private static final int MAX_REQUESTS = 4_000_000;

    static Plan from(Options o) {
        Plan p = new Plan(o.integer("seconds", 20, 1, 3600), o.integer("warmup", 5, 1, 600),
                o.integer("rate", 400, 1, 100_000), o.integer("workers", 8, 1, 256),
                o.integer("hog-period-ms", 500, 10, 60_000), o.integer("live-mib", 32, 0, 4096),
                o.integer("retain-ms", 250, 0, 60_000), o.integer("drain-seconds", 10, 1, 600));
        if ((long) (p.warmup + p.seconds) * p.rate > MAX_REQUESTS) {
            throw new IllegalArgumentException("-rate = '" + p.rate + "': (warmup + seconds) × rate = "
                    + (long) (p.warmup + p.seconds) * p.rate + " requests, more than " + MAX_REQUESTS + " in one run");
        }
        return p;
    }

    int warmupRequests() {
        return warmup * rate;
    }

    int measuredRequests() {
        return seconds * rate;
    }

    int oversizedRequests() {
        return (int) (seconds * 1000L / hogPeriodMillis);
    }

    /** Responses kept reachable at once: those of the last {@code retainMillis}. */
    int retainedResponses() {
        return (int) Math.max(1, (long) rate * retainMillis / 1000);
    }

    /** How long a run may take at most, start-up and reporting included; a JVM still running then is stuck. */
    long boundSeconds() {
        return warmup + seconds + drainSeconds + PressureApp.GRACE_SECONDS + 60;
    }

    String describe() {
        return String.format(java.util.Locale.ROOT, "%d ordinary requests/s (64-256 KiB JSON responses, %d workers, "
                        + "the last %d ms of responses kept), %d s warm-up then %d s measured; from the window's start "
                        + "one oversized request every %d ms (a ByteArrayOutputStream grown 1 MiB a write toward "
                        + "twice the heap); %d MiB of long-lived data",
                rate, workers, retainMillis, warmup, seconds, hogPeriodMillis, liveMiB);
    }
}

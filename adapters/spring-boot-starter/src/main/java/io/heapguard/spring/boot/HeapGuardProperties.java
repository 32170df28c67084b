package io.heapguard.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/** The {@code heapguard.*} application properties; the agent's own configuration stays in its rules file. */
@ConfigurationProperties(prefix = "heapguard")
public class HeapGuardProperties {
    /** The budget of each HTTP request: what the buffers its thread grows may hold together. */
    private DataSize requestLimit = DataSize.ofMegabytes(64);

    private final Filter filter = new Filter();
    private final Metrics metrics = new Metrics();
    private final Health health = new Health();

    public DataSize getRequestLimit() {
        return requestLimit;
    }

    public void setRequestLimit(DataSize requestLimit) {
        if (requestLimit == null || requestLimit.isNegative()) {
            throw new IllegalArgumentException("heapguard.request-limit must be a size of 0 or more, was " + requestLimit);
        }
        this.requestLimit = requestLimit;
    }

    public Filter getFilter() {
        return filter;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public Health getHealth() {
        return health;
    }

    public static class Filter {
        /** Whether every request gets a budget and a refusal becomes 413 (503 for the heap reserve). */
        private boolean enabled = true;
        /** The scope's name, as refusals name it: {@code scope:<name>}. */
        private String scope = "http-request";
        /** {@code Retry-After} of a 503 answered when the heap reserve refused. */
        private Duration retryAfter = Duration.ofSeconds(5);
        /** The filter's place in the chain: before anything that reads the body. */
        private int order = org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 1;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getScope() {
            return scope;
        }

        public void setScope(String scope) {
            this.scope = scope;
        }

        public Duration getRetryAfter() {
            return retryAfter;
        }

        public void setRetryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
        }

        public int getOrder() {
            return order;
        }

        public void setOrder(int order) {
            this.order = order;
        }
    }

    public static class Metrics {
        /** Whether heapguard's figures are bound to the application's Micrometer registries. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public static class Health {
        /** Whether the {@code heapguard} health indicator is contributed. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}

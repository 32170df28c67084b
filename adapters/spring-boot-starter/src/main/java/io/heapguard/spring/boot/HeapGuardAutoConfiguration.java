package io.heapguard.spring.boot;

import io.heapguard.micrometer.HeapGuardMetrics;
import io.heapguard.servlet.HeapGuardFilter;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * heapguard in a Spring Boot application, when the agent runs in its JVM: every request in a budget of
 * {@code heapguard.request-limit} ({@link HeapGuardFilter}), refusals answered 413 however Spring MVC
 * wrapped them, heapguard's figures in the Micrometer registries ({@link HeapGuardMetrics}) and a
 * {@code heapguard} health indicator for the readiness group ({@link HeapGuardHealthIndicator}). Each piece
 * has its {@code heapguard.<piece>.enabled}. Without the agent nothing is configured.
 */
@AutoConfiguration
@ConditionalOnHeapGuardAgent
@EnableConfigurationProperties(HeapGuardProperties.class)
public class HeapGuardAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "jakarta.servlet.Filter")
    @ConditionalOnProperty(prefix = "heapguard.filter", name = "enabled", matchIfMissing = true)
    static class FilterConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "heapguardFilter")
        FilterRegistrationBean<HeapGuardFilter> heapguardFilter(HeapGuardProperties properties) {
            HeapGuardProperties.Filter filter = properties.getFilter();
            FilterRegistrationBean<HeapGuardFilter> registration = new FilterRegistrationBean<>(new HeapGuardFilter(
                    properties.getRequestLimit().toBytes(), filter.getScope(), retryAfterSeconds(properties)));
            registration.addUrlPatterns("/*");
            registration.setOrder(filter.getOrder());
            return registration;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(DispatcherServlet.class)
    @ConditionalOnProperty(prefix = "heapguard.filter", name = "enabled", matchIfMissing = true)
    static class MvcConfiguration {
        @Bean
        RefusalExceptionResolver heapguardRefusalExceptionResolver(HeapGuardProperties properties) {
            return new RefusalExceptionResolver(retryAfterSeconds(properties));
        }
    }

    static int retryAfterSeconds(HeapGuardProperties properties) {
        return (int) Math.min(Integer.MAX_VALUE, properties.getFilter().getRetryAfter().toSeconds());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    @ConditionalOnProperty(prefix = "heapguard.metrics", name = "enabled", matchIfMissing = true)
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        HeapGuardMetrics heapguardMetrics() {
            return new HeapGuardMetrics();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnProperty(prefix = "heapguard.health", name = "enabled", matchIfMissing = true)
    static class HealthConfiguration {
        /** Named so that Actuator calls it {@code heapguard}. */
        @Bean
        @ConditionalOnMissingBean(name = "heapguardHealthIndicator")
        HeapGuardHealthIndicator heapguardHealthIndicator() {
            return new HeapGuardHealthIndicator();
        }
    }
}

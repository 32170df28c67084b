package io.heapguard.spring.boot;

import io.heapguard.servlet.RefusalResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

import java.io.IOException;

/**
 * Answers a refusal as the filter does (413, or 503 with {@code Retry-After}) before Spring MVC's own
 * resolvers see it: a refusal inside a message converter (Jackson growing a list while binding
 * {@code @RequestBody}) reaches them as {@code HttpMessageNotReadableException}, which they would answer
 * with 400. Any other exception is left to them.
 */
class RefusalExceptionResolver implements HandlerExceptionResolver, Ordered {
    private final int retryAfterSeconds;

    RefusalExceptionResolver(int retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
                                         Exception ex) {
        try {
            return RefusalResponse.send(response, ex, retryAfterSeconds) ? new ModelAndView() : null;
        } catch (IOException clientGone) {
            return new ModelAndView(); // the refusal was being answered: there is nobody left to answer
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}

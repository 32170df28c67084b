package io.heapguard.servlet;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaScope;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Gives every request a heapguard budget and turns a refusal into an answer instead of a 500.
 *
 * <p>Each request runs inside {@code HeapGuard.scope(<scope>, <limit>)}: the buffers the request's thread
 * grows (and tasks it hands to an executor wrapped with {@code HeapGuard.wrap}) are charged to it, and a
 * growth past the limit is refused with a {@code QuotaExceededException} named {@code scope:<scope>}.
 * When a refusal comes out of the chain, however deeply wrapped ({@code HeapGuard.findQuotaExceeded}),
 * the response becomes
 * <ul>
 * <li>{@code 503 Service Unavailable} with {@code Retry-After} when the rule was {@code heap-reserve}:
 * the process is short of memory, the same request may well succeed later;</li>
 * <li>{@code 413 Content Too Large} for any other rule: this request asked for more than it may have.</li>
 * </ul>
 * with the refusal's message as a plain-text body. Any other failure passes through untouched. If the
 * response was already committed, its status can no longer change: the exception is rethrown and the
 * container aborts the response.
 *
 * <p>Register it first in the chain, for every path that reads request bodies:
 * <pre>{@code
 * context.addFilter(new FilterHolder(new HeapGuardFilter(64L << 20)), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 * or in {@code web.xml} with the init parameters {@code limit} (a size: {@code 65536}, {@code 64k},
 * {@code 16m}, {@code 2g}; default {@code 64m}), {@code scope} (the scope's name; default
 * {@code http-request}) and {@code retry-after} (seconds; default 5). The request's scope is available to
 * the application as the request attribute {@value #SCOPE_ATTRIBUTE}.
 *
 * <p>The scope covers the request's thread from the filter's entry to its exit: work continued after an
 * asynchronous {@code startAsync()} is not in it (carry it with {@code HeapGuard.wrap}, or open a
 * {@code HeapGuard.detachedScope}). Without the agent the scope is inert and the filter only passes
 * requests on; without heapguard's classes at all (no agent, core not on the class path) it does the
 * same.
 */
public class HeapGuardFilter implements Filter {
    /** The request attribute holding the request's {@code io.heapguard.QuotaScope}. */
    public static final String SCOPE_ATTRIBUTE = "io.heapguard.scope";
    public static final long DEFAULT_LIMIT_BYTES = 64L << 20;
    public static final String DEFAULT_SCOPE = "http-request";
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 5;

    /** Whether heapguard's API is reachable: under the agent, or core on the class path. */
    private static final boolean PRESENT = present();

    private long limitBytes;
    private String scopeName;
    private int retryAfterSeconds;

    /** For {@code web.xml}: configured by init parameters, else the defaults. */
    public HeapGuardFilter() {
        this(DEFAULT_LIMIT_BYTES);
    }

    public HeapGuardFilter(long limitBytes) {
        this(limitBytes, DEFAULT_SCOPE, DEFAULT_RETRY_AFTER_SECONDS);
    }

    public HeapGuardFilter(long limitBytes, String scopeName, int retryAfterSeconds) {
        configure(limitBytes, scopeName, retryAfterSeconds);
    }

    private void configure(long limit, String scope, int retryAfter) {
        if (limit < 0 || scope == null || scope.isEmpty() || retryAfter < 0) {
            throw new IllegalArgumentException("HeapGuardFilter: limit " + limit + ", scope '" + scope
                    + "', retry-after " + retryAfter);
        }
        this.limitBytes = limit;
        this.scopeName = scope;
        this.retryAfterSeconds = retryAfter;
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        String limit = config.getInitParameter("limit");
        String scope = config.getInitParameter("scope");
        String retryAfter = config.getInitParameter("retry-after");
        try {
            configure(limit == null ? limitBytes : parseSize(limit), scope == null ? scopeName : scope,
                    retryAfter == null ? retryAfterSeconds : Integer.parseInt(retryAfter.strip()));
        } catch (IllegalArgumentException e) {
            throw new ServletException("HeapGuardFilter " + config.getFilterName() + ": " + e.getMessage(), e);
        }
    }

    public long limitBytes() {
        return limitBytes;
    }

    public String scopeName() {
        return scopeName;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!PRESENT) {
            chain.doFilter(request, response);
            return;
        }
        Guarded.doFilter(this, request, response, chain);
    }

    /** The only code that names heapguard's classes: loaded when they are there to load. */
    private static final class Guarded {
        static void doFilter(HeapGuardFilter f, ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            try (QuotaScope scope = HeapGuard.scope(f.scopeName, f.limitBytes)) {
                request.setAttribute(SCOPE_ATTRIBUTE, scope);
                chain.doFilter(request, response);
            } catch (IOException | ServletException | RuntimeException | Error e) {
                if (!(response instanceof HttpServletResponse)
                        || !RefusalResponse.send((HttpServletResponse) response, e, f.retryAfterSeconds)) {
                    throw e;
                }
            } finally {
                request.removeAttribute(SCOPE_ATTRIBUTE);
            }
        }
    }

    private static boolean present() {
        try {
            Class.forName("io.heapguard.HeapGuard", false, HeapGuardFilter.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** {@code 65536}, {@code 64k}, {@code 16m}, {@code 2g}: binary units, as heapguard's configuration. */
    static long parseSize(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k':
                    shift = 10;
                    break;
                case 'm':
                    shift = 20;
                    break;
                case 'g':
                    shift = 30;
                    break;
                default:
                    break;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit '" + text + "' is not a size (e.g. 65536, 64k, 16m, 2g)");
        }
        if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("limit '" + text + "' is out of range");
        }
        return n << shift;
    }
}

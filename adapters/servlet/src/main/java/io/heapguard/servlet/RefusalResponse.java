package io.heapguard.servlet;

import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a request heapguard refused: {@code 413 Content Too Large}, or {@code 503 Service Unavailable}
 * with {@code Retry-After} when the rule was {@code heap-reserve}, the refusal's message as a plain-text body.
 * For {@link HeapGuardFilter} and for frameworks that turn exceptions into responses before a filter sees them
 * (Spring MVC answers a refusal inside a JSON parser with 400). Names heapguard's classes: call it only when
 * they are loadable (under the agent).
 */
public final class RefusalResponse {
    private RefusalResponse() {
    }

    /**
     * Answers the refusal inside {@code failure}, however deeply wrapped ({@code HeapGuard.findQuotaExceeded}).
     *
     * @return false, changing nothing, when {@code failure} holds no refusal or the response is already committed
     */
    public static boolean send(HttpServletResponse response, Throwable failure, int retryAfterSeconds)
            throws IOException {
        QuotaExceededException q = HeapGuard.findQuotaExceeded(failure);
        if (q == null || response.isCommitted()) {
            return false;
        }
        boolean shortOfMemory = "heap-reserve".equals(q.rule());
        response.reset();
        response.setStatus(shortOfMemory ? HttpServletResponse.SC_SERVICE_UNAVAILABLE : 413);
        if (shortOfMemory) {
            response.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
        } else {
            response.setHeader("Connection", "close"); // the rest of an oversized body is not read
        }
        response.setContentType("text/plain;charset=utf-8");
        byte[] body = (q.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        try {
            OutputStream out = response.getOutputStream();
            out.write(body);
            out.flush();
        } catch (IllegalStateException writerInUse) {
            PrintWriter w = response.getWriter();
            w.print(new String(body, StandardCharsets.UTF_8));
            w.flush();
        }
        return true;
    }
}

package io.heapguard.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.heapguard.HeapGuard;
import io.heapguard.QuotaExceededException;
import io.heapguard.QuotaScope;

/**
 * Gives every call a heapguard budget and answers a refusal with {@code RESOURCE_EXHAUSTED}.
 *
 * <p>A call's work happens in listener callbacks ({@code onMessage}, {@code onHalfClose}, ...) that the
 * server may run on different threads, so each call gets a {@code HeapGuard.detachedScope} named after
 * the method ({@code scope:<service>/<method>}), entered around every callback and closed when the call
 * completes or is cancelled. A growth past the budget is refused; the refusal, however deeply wrapped
 * ({@code HeapGuard.findQuotaExceeded}), closes the call with {@code RESOURCE_EXHAUSTED} and the
 * refusal's message as its description, whether the handler threw it or passed it to
 * {@code responseObserver.onError} (which would otherwise report {@code UNKNOWN}). Other failures are
 * left as they are.
 *
 * <pre>{@code
 * Server server = ServerBuilder.forPort(8443)
 *         .addService(ServerInterceptors.intercept(new ConverterService(), new HeapGuardInterceptor(32L << 20)))
 *         .build();
 * }</pre>
 *
 * <p>Not covered: parsing a request message happens in gRPC before any interceptor sees the call; bound it
 * with {@code maxInboundMessageSize}. Without the agent the budget never refuses; without heapguard's
 * classes at all the interceptor passes calls straight on.
 */
public final class HeapGuardInterceptor implements ServerInterceptor {
    /** Whether heapguard's API is reachable: under the agent, or core on the class path. */
    private static final boolean PRESENT = present();

    private final long limitBytes;

    /** @param limitBytes the budget of each call, in bytes */
    public HeapGuardInterceptor(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("limitBytes must be at least 0, was " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (!PRESENT) {
            return next.startCall(call, headers);
        }
        return Guarded.interceptCall(limitBytes, call, headers, next);
    }

    /** The only code that names heapguard's classes: loaded when they are there to load. */
    @SuppressWarnings("try") // an entry is opened for its effect on the thread, never read
    private static final class Guarded {
        static <Q, R> ServerCall.Listener<Q> interceptCall(long limit, ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            QuotaScope budget = HeapGuard.detachedScope(call.getMethodDescriptor().getFullMethodName(), limit);
            RefusingCall<Q, R> guarded = new RefusingCall<>(call);
            ServerCall.Listener<Q> listener;
            try (QuotaScope.Entry in = budget.enter()) {
                listener = next.startCall(guarded, headers);
            } catch (RuntimeException | Error e) {
                budget.close();
                if (!guarded.refuse(e)) {
                    throw e;
                }
                return new ServerCall.Listener<Q>() {
                };
            }
            return new GuardedListener<>(listener, guarded, budget);
        }
    }

    /** Turns a status caused by a refusal into {@code RESOURCE_EXHAUSTED}. */
    private static final class RefusingCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private boolean closed;

        RefusingCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        /** Closes the call for the refusal in {@code failure}, if there is one; false when there is none. */
        boolean refuse(Throwable failure) {
            QuotaExceededException q = HeapGuard.findQuotaExceeded(failure);
            if (q == null) {
                return false;
            }
            if (!closed) {
                close(exhausted(q), new Metadata());
            }
            return true;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed = true;
            Status s = status;
            if (s.getCode() == Status.Code.UNKNOWN || s.getCode() == Status.Code.INTERNAL) {
                QuotaExceededException q = HeapGuard.findQuotaExceeded(s.getCause());
                if (q != null) {
                    s = exhausted(q);
                }
            }
            super.close(s, trailers);
        }

        private static Status exhausted(QuotaExceededException q) {
            return Status.RESOURCE_EXHAUSTED.withDescription(q.getMessage()).withCause(q);
        }
    }

    /** Runs every callback inside the call's budget; ends the budget with the call. */
    @SuppressWarnings("try")
    private static final class GuardedListener<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final RefusingCall<Q, ?> call;
        private final QuotaScope budget;

        GuardedListener(ServerCall.Listener<Q> delegate, RefusingCall<Q, ?> call, QuotaScope budget) {
            super(delegate);
            this.call = call;
            this.budget = budget;
        }

        @Override
        public void onMessage(Q message) {
            try (QuotaScope.Entry in = budget.enter()) {
                super.onMessage(message);
            } catch (RuntimeException | Error e) {
                if (!call.refuse(e)) {
                    throw e;
                }
            }
        }

        @Override
        public void onHalfClose() {
            try (QuotaScope.Entry in = budget.enter()) {
                super.onHalfClose();
            } catch (RuntimeException | Error e) {
                if (!call.refuse(e)) {
                    throw e;
                }
            }
        }

        @Override
        public void onReady() {
            try (QuotaScope.Entry in = budget.enter()) {
                super.onReady();
            } catch (RuntimeException | Error e) {
                if (!call.refuse(e)) {
                    throw e;
                }
            }
        }

        @Override
        public void onCancel() {
            try {
                super.onCancel();
            } finally {
                budget.close();
            }
        }

        @Override
        public void onComplete() {
            try {
                super.onComplete();
            } finally {
                budget.close();
            }
        }
    }

    private static boolean present() {
        try {
            Class.forName("io.heapguard.HeapGuard", false, HeapGuardInterceptor.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}

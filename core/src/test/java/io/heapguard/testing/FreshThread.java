package io.heapguard.testing;

import java.lang.reflect.Method;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.function.Executable;

/**
 * Runs a test body on a thread of its own, at most two minutes: the ledger keeps a per-thread account
 * (static, shared by every ledger), and what a test charges must not stay on the thread other tests run
 * on, nor what they charged weigh on it. As an extension, every test method of the class.
 */
public final class FreshThread implements InvocationInterceptor {
    private static final long BOUND_MILLIS = 120_000;
    private final String name;

    public FreshThread(String name) {
        this.name = name;
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
                                    ExtensionContext extension) throws Throwable {
        run(name, invocation::proceed);
    }

    public static void run(String name, Executable body) throws Throwable {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                body.execute();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name);
        t.start();
        t.join(BOUND_MILLIS);
        if (t.isAlive()) {
            throw new AssertionError("the test did not finish in " + BOUND_MILLIS / 1000 + " s");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }
}

package io.heapguard.it.apps;

import java.util.concurrent.CountDownLatch;

/** Prints a line, then waits forever: for the harness's time bound (HarnessTest). Needs no agent. */
public final class HangApp {
    public static void main(String[] args) throws InterruptedException {
        System.out.println("RESULT started=true");
        System.err.println("waiting forever");
        new CountDownLatch(1).await();
    }
}

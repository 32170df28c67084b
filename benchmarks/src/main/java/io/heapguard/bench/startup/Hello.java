package io.heapguard.bench.startup;

/** The smallest application for the start-up benchmark. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("Hello, world");
    }
}

package io.heapguard.it.apps;

/** Hello world; references nothing of heapguard, so it runs with or without the agent. */
public final class HelloApp {
    public static void main(String[] args) {
        System.out.println("RESULT main-ran=true");
    }
}

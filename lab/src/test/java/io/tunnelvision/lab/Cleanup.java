package io.tunnelvision.lab;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the lab must undo, undone in reverse order by {@link #close()} or, should the JVM be stopped first, by a
 * shutdown hook: processes, relays and namespaces never outlive the test.
 */
final class Cleanup implements AutoCloseable {

    private final Deque<AutoCloseable> steps = new ArrayDeque<>();
    private final Thread hook = new Thread(this::runAll, "lab-cleanup");

    Cleanup() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    synchronized <T extends AutoCloseable> T add(T step) {
        steps.push(step);
        return step;
    }

    private synchronized void runAll() {
        while (!steps.isEmpty()) {
            try {
                steps.pop().close();
            } catch (Exception e) {
                System.err.println("lab cleanup: " + e);
            }
        }
    }

    @Override
    public void close() {
        runAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs and finds nothing left
        }
    }
}

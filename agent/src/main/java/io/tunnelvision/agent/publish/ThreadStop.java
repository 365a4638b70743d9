package io.tunnelvision.agent.publish;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a worker thread that was asked to stop (woken, not interrupted: an interrupt during a spool read or
 * append closes the spool's FileChannel under every other user, {@code ClosedByInterruptException}), and
 * interrupts it only if it is still running after a grace period.
 */
public final class ThreadStop {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadStop.class);
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration AFTER_INTERRUPT = Duration.ofSeconds(2);

    private ThreadStop() {
    }

    /** Joins {@code thread} for 10 s, then interrupts it and joins it for 2 s more. */
    public static void await(Thread thread) {
        try {
            thread.join(GRACE.toMillis());
            if (thread.isAlive()) {
                LOG.warn("thread {} did not stop within {} s; interrupting it", thread.getName(), GRACE.toSeconds());
                thread.interrupt();
                thread.join(AFTER_INTERRUPT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

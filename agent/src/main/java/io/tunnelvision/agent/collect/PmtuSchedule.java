package io.tunnelvision.agent.collect;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When the path-MTU collector probes: in its first round, every {@code everyRounds} rounds after, and in the next
 * round after {@link #requestNow()} (the agent asks when its executor answered a command: a changed MTU shows in
 * the next probing), on {@code executor}. The agent's loop probes on a thread of its own, so that a round never
 * waits for a ladder (up to 12 probes of up to 1.2 s per peer); {@code collect --once} and the doctor probe in the
 * calling thread, every round, and wait for the answer.
 */
public final class PmtuSchedule {

    private final int everyRounds;
    private final Executor executor;
    private final AtomicLong requests = new AtomicLong();

    public PmtuSchedule(int everyRounds, Executor executor) {
        if (everyRounds < 1) {
            throw new IllegalArgumentException("everyRounds must be at least 1, not " + everyRounds);
        }
        this.everyRounds = everyRounds;
        this.executor = executor;
    }

    /** Every round, in the caller's thread. */
    public static PmtuSchedule inline() {
        return new PmtuSchedule(1, Runnable::run);
    }

    /** Every {@code everyRounds} rounds, on one daemon thread. */
    public static PmtuSchedule background(int everyRounds) {
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pmtu-prober");
            t.setDaemon(true);
            return t;
        });
        return new PmtuSchedule(everyRounds, thread);
    }

    public int everyRounds() {
        return everyRounds;
    }

    public Executor executor() {
        return executor;
    }

    /** The next round probes again; safe from any thread. */
    public void requestNow() {
        requests.incrementAndGet();
    }

    long requests() {
        return requests.get();
    }
}

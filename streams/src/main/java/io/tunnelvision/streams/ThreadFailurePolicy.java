package io.tunnelvision.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the app does when a stream thread dies of an exception nothing else handled (a processor's {@code Error},
 * a store that cannot be written, a failing exception handler; a processor's ordinary exception goes to the
 * dead-letter topic instead): the thread is replaced, at most {@code maxReplacements} times within {@code window},
 * and the next failure shuts the client down so that the process exits non-zero and its supervisor restarts it. A
 * replaced thread takes its tasks back from their changelogs and committed offsets, so nothing is lost either way;
 * the bound stops a record that kills every thread from spinning forever without anyone being told.
 * <p>
 * Each failure is logged with its exception and counted as {@value #METRIC} by {@code response}.
 */
public final class ThreadFailurePolicy implements StreamsUncaughtExceptionHandler {

    public static final String METRIC = "tunnelvision.streams.uncaught.exceptions";
    private static final Logger LOG = LoggerFactory.getLogger(ThreadFailurePolicy.class);

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final Counter replaced;
    private final Counter shutDown;
    private final Deque<Long> replacementsMs = new ArrayDeque<>();

    public ThreadFailurePolicy(int maxReplacements, Duration window, Clock clock, MeterRegistry metrics) {
        if (maxReplacements < 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("need maxReplacements >= 0 and a positive window, got "
                    + maxReplacements + " per " + window);
        }
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
        this.replaced = counter(metrics, StreamThreadExceptionResponse.REPLACE_THREAD);
        this.shutDown = counter(metrics, StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    private static Counter counter(MeterRegistry metrics, StreamThreadExceptionResponse response) {
        return Counter.builder(METRIC)
                .description("Stream threads that died of an uncaught exception, by what was done: replace_thread"
                        + " (a new thread took over), shutdown_client (too many in the window: the app exits)")
                .tag("response", response.name().toLowerCase(java.util.Locale.ROOT))
                .register(metrics);
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = clock.millis();
        while (!replacementsMs.isEmpty() && replacementsMs.peekFirst() <= now - window.toMillis()) {
            replacementsMs.removeFirst();
        }
        String thread = Thread.currentThread().getName();
        if (replacementsMs.size() < maxReplacements) {
            replacementsMs.addLast(now);
            replaced.increment();
            LOG.error("Stream thread {} died of an uncaught exception; replacing it ({} of at most {} per {})",
                    thread, replacementsMs.size(), maxReplacements, window, exception);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        shutDown.increment();
        LOG.error("Stream thread {} died of an uncaught exception after {} replacement(s) within {}; shutting the"
                + " app down for its supervisor to restart it", thread, replacementsMs.size(), window, exception);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
}

package io.tunnelvision.agent.run;

import io.tunnelvision.agent.publish.SpoolAppendException;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a collection round every interval on one thread and hands each sample to the routing. */
public final class AgentLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);

    private final HostIdentity identity;
    private final CollectionRound round;
    private final SampleRouting routing;
    private final SequenceStore sequences;
    private final Clock clock;
    private final Consumer<Error> fatal;
    private final AtomicLong published = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "collect");
        t.setDaemon(true);
        return t;
    });

    public AgentLoop(HostIdentity identity, CollectionRound round, SampleRouting routing, SequenceStore sequences,
                     Clock clock) {
        this(identity, round, routing, sequences, clock, AgentLoop::exit);
    }

    /**
     * @param fatal called, on the collect thread, with an {@link Error} that escaped a round: the schedule ends
     *        with it, so the agent would go on serving metrics and taking commands while collecting nothing. The
     *        agent exits instead ({@link #exit}), for its service manager to restart it with the cause in the log.
     */
    public AgentLoop(HostIdentity identity, CollectionRound round, SampleRouting routing, SequenceStore sequences,
                     Clock clock, Consumer<Error> fatal) {
        this.identity = identity;
        this.round = round;
        this.routing = routing;
        this.sequences = sequences;
        this.clock = clock;
        this.fatal = fatal;
    }

    /** Exit status 70 (EX_SOFTWARE): the unit's {@code Restart=on-failure} starts the agent again. */
    static void exit(Error error) {
        System.exit(70);
    }

    public void start(Duration interval) {
        // fixed rate: samples stay on a steady grid, so a slow round does not stretch every later interval
        timer.scheduleAtFixedRate(this::tickSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round; public so that tests and {@code collect --once} drive it without the timer. */
    public int tick() {
        SampleHeader header = new SampleHeader(identity.hostId(), identity.bootId(), sequences.take(),
                clock.millis(), identity.agentVersion());
        int n = 0;
        for (SpecificRecord sample : round.collect(header).samples()) {
            try {
                routing.publish(identity.hostId(), sample);
                n++;
            } catch (SpoolAppendException e) {
                // the spool counted and logged it; the round's other samples may still fit
            }
        }
        published.addAndGet(n);
        return n;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // the schedule dies with an escaping exception; one bad round must not stop the agent
            LOG.error("collection round failed", e);
        } catch (Error e) {
            LOG.error("collection stopped by {}; the agent exits so that it is restarted", e.toString(), e);
            fatal.accept(e);
        }
    }

    public long publishedSamples() {
        return published.get();
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.tunnelvision.api.db;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * Whether PostgreSQL answers, as the api last saw it: from ingest writes (the ones that matter) and from probes
 * (so the state is also right when nothing is being written). Read by {@code /metrics} and the readiness route
 * without touching the database, so a scrape never waits on an unreachable server.
 */
public final class DatabaseState {

    private final Clock clock;
    private volatile boolean up;
    private volatile String problem = "not checked yet";
    private volatile Instant lastWrite;

    public DatabaseState(Clock clock) {
        this.clock = clock;
    }

    /** A write was committed. */
    public void written() {
        lastWrite = clock.instant();
        reachable();
    }

    /** The database answered. */
    public void reachable() {
        up = true;
        problem = null;
    }

    /** The database could not be reached or did not answer in time (not: it refused bad data). */
    public void unreachable(Throwable error) {
        up = false;
        problem = rootMessage(error);
    }

    public boolean up() {
        return up;
    }

    /** @return null when up, else what went wrong last */
    public String problem() {
        return up ? null : problem;
    }

    /**
     * Asks the database for {@code SELECT 1}, bounded by the pool's and the socket's timeouts, and records the answer.
     *
     * @return null when it answered, else what is wrong
     */
    public String probe(Jdbi jdbi) {
        try {
            jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
            reachable();
            return null;
        } catch (RuntimeException e) {
            unreachable(e);
            return problem;
        }
    }

    /** Seconds since the last committed ingest write; NaN before the first one. */
    double secondsSinceLastWrite() {
        Instant last = lastWrite;
        return last == null ? Double.NaN : (clock.millis() - last.toEpochMilli()) / 1000.0;
    }

    /**
     * {@code tunnelvision_api_database_up} (1 or 0) and {@code tunnelvision_ingest_last_write_age_seconds}.
     */
    public DatabaseState bindTo(MeterRegistry metrics) {
        Gauge.builder("tunnelvision.api.database.up", this, s -> s.up ? 1 : 0)
                .description("1 when the last ingest write or probe reached PostgreSQL, 0 when it could not")
                .register(metrics);
        TimeGauge.builder("tunnelvision.ingest.last.write.age", this, TimeUnit.SECONDS,
                        DatabaseState::secondsSinceLastWrite)
                .description("Time since ingest last committed a batch to PostgreSQL (NaN: none yet)")
                .register(metrics);
        return this;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return error == root ? message : error.getClass().getSimpleName() + ": " + message;
    }
}

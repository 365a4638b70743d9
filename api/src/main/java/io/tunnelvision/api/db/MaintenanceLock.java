package io.tunnelvision.api.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a maintenance job on one api instance at a time, and once per interval across all of them.
 *
 * <p>The job runs while this instance holds a PostgreSQL session advisory lock on a connection of its own; the
 * lock's key is a hash of the schema and the job's name, so two deployments in two schemas of one database do not
 * block each other. An instance that finds the lock taken skips the run ({@link Outcome#BUSY}). Under the lock,
 * {@code maintenance_runs} says when the job last finished by the database's clock; a run less than 90 % of the
 * interval after it is skipped as well ({@link Outcome#NOT_DUE}), so two instances on the same schedule run it
 * once per interval, and when one instance stops, the other takes over within one and a half intervals.
 *
 * <p>A job that fails records nothing, so the next instance to try runs it. If the connection holding the lock
 * dies (network, server restart), PostgreSQL ends the session and releases the lock with it.
 */
public final class MaintenanceLock {

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceLock.class);
    /** The lock's key: the job within this schema, as one bigint (PostgreSQL's own 64-bit text hash). */
    private static final String KEY = "hashtextextended(current_schema() || '/tunnelvision-maintenance/' || :job, 0)";

    /** What one attempt did. */
    public enum Outcome {
        /** This instance ran the job. */
        RAN,
        /** Another instance holds the job's lock: it is running it now. */
        BUSY,
        /** Another instance (or this one) finished it less than an interval ago. */
        NOT_DUE,
        /** This instance ran the job and it threw; nothing was recorded, so the next attempt runs it again. */
        FAILED
    }

    private final Jdbi jdbi;
    private final String instance;
    private final MeterRegistry metrics;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param instance this api instance's name, stored with each run it makes
     * @param metrics  {@code tunnelvision_api_maintenance_runs_total{task,outcome} (not "job": Prometheus keeps that label for the scrape job)}
     */
    public MaintenanceLock(Jdbi jdbi, String instance, MeterRegistry metrics) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Runs {@code job} if no other instance is running it and it last finished at least 90 % of {@code every} ago.
     *
     * @throws RuntimeException when the database cannot be reached for the lock; the job's own exceptions are
     *                          logged and returned as {@link Outcome#FAILED}
     */
    public Outcome runIfDue(String name, Duration every, Runnable job) {
        Outcome outcome = jdbi.withHandle(handle -> attempt(handle, name, every, job));
        counter(name, outcome).increment();
        return outcome;
    }

    private Outcome attempt(Handle handle, String name, Duration every, Runnable job) {
        if (!tryLock(handle, name)) {
            return Outcome.BUSY;
        }
        try {
            if (!due(handle, name, every)) {
                return Outcome.NOT_DUE;
            }
            OffsetDateTime started = now(handle);
            try {
                job.run();
            } catch (RuntimeException e) {
                LOG.warn("Maintenance job {} failed: {}", name, e.getMessage());
                return Outcome.FAILED;
            }
            recordRun(handle, name, started);
            return Outcome.RAN;
        } finally {
            unlock(handle, name);
        }
    }

    private static boolean tryLock(Handle handle, String name) {
        return handle.createQuery("SELECT pg_try_advisory_lock(" + KEY + ")")
                .bind("job", name)
                .mapTo(Boolean.class)
                .one();
    }

    private static void unlock(Handle handle, String name) {
        // A broken connection throws here; its session, and the lock with it, ends on the server anyway.
        handle.createQuery("SELECT pg_advisory_unlock(" + KEY + ")")
                .bind("job", name)
                .mapTo(Boolean.class)
                .one();
    }

    private static boolean due(Handle handle, String name, Duration every) {
        return handle.createQuery("""
                        SELECT NOT EXISTS (
                            SELECT 1 FROM maintenance_runs
                            WHERE job = :job AND finished_at > now() - make_interval(secs => :seconds))
                        """)
                .bind("job", name)
                .bind("seconds", every.toMillis() * 0.9 / 1000.0)
                .mapTo(Boolean.class)
                .one();
    }

    private static OffsetDateTime now(Handle handle) {
        // clock_timestamp(), not now(): this handle is not in a transaction, but now() is the statement's start
        return handle.createQuery("SELECT clock_timestamp()").mapTo(OffsetDateTime.class).one();
    }

    private void recordRun(Handle handle, String name, OffsetDateTime started) {
        handle.createUpdate("""
                        INSERT INTO maintenance_runs (job, started_at, finished_at, ran_by)
                        VALUES (:job, :started, clock_timestamp(), :instance)
                        ON CONFLICT (job) DO UPDATE SET started_at = EXCLUDED.started_at,
                            finished_at = EXCLUDED.finished_at, ran_by = EXCLUDED.ran_by
                        """)
                .bind("job", name)
                .bind("started", started)
                .bind("instance", instance)
                .execute();
    }

    private Counter counter(String job, Outcome outcome) {
        return counters.computeIfAbsent(job + '/' + outcome, k -> Counter.builder("tunnelvision.api.maintenance.runs")
                .tag("task", job)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("Attempts at a maintenance job by this api instance: ran, busy (another instance held"
                        + " its lock), not_due (run less than an interval ago), failed")
                .register(metrics));
    }
}

package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedPostgres;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two api instances, each with its own connection pool, on one schema of the real PostgreSQL: a maintenance job
 * runs on one of them at a time and once per interval between them, and a lock whose holder dies is released.
 */
class MaintenanceLockIT {

    private static final Duration HOUR = Duration.ofHours(1);

    private PostgresEndpoint endpoint;
    private Database first;
    private Database second;
    private final SimpleMeterRegistry metricsA = new SimpleMeterRegistry();
    private final SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
    private MaintenanceLock a;
    private MaintenanceLock b;

    @BeforeEach
    void twoInstances() {
        endpoint = SharedPostgres.get().newSchema("maint");
        first = Database.pooled(endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), 4);
        first.migrate();
        second = Database.pooled(endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), 4);
        a = new MaintenanceLock(first.jdbi(), "instance-a", metricsA);
        b = new MaintenanceLock(second.jdbi(), "instance-b", metricsB);
    }

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    @Test
    void whileOneInstanceRunsTheJobTheOtherSkipsIt() throws Exception {
        AtomicInteger runsOnB = new AtomicInteger();
        try (Held held = new Held("rollups")) {
            assertEquals(MaintenanceLock.Outcome.BUSY, b.runIfDue("rollups", HOUR, runsOnB::incrementAndGet));
            // another job is not blocked by this one
            assertEquals(MaintenanceLock.Outcome.RAN, b.runIfDue("partitions", HOUR, () -> { }));
            assertEquals(MaintenanceLock.Outcome.RAN, held.finish());
        }
        // A finished it a moment ago: B does not run it again within the interval
        assertEquals(MaintenanceLock.Outcome.NOT_DUE, b.runIfDue("rollups", HOUR, runsOnB::incrementAndGet));
        assertEquals(0, runsOnB.get());
        assertEquals("instance-a", ranBy("rollups"));
        assertEquals(1.0, count(metricsB, "rollups", "busy"));
        assertEquals(1.0, count(metricsB, "rollups", "not_due"));
        assertEquals(1.0, count(metricsA, "rollups", "ran"));
    }

    @Test
    void aFailedRunIsNotRecordedSoTheOtherInstanceRunsIt() {
        assertEquals(MaintenanceLock.Outcome.FAILED, a.runIfDue("partitions", HOUR, () -> {
            throw new IllegalStateException("disk full");
        }));
        AtomicInteger runs = new AtomicInteger();
        assertEquals(MaintenanceLock.Outcome.RAN, b.runIfDue("partitions", HOUR, runs::incrementAndGet));
        assertEquals(1, runs.get());
        assertEquals("instance-b", ranBy("partitions"));
        // the failure released the lock too: A can take it at once (the job is just not due)
        assertEquals(MaintenanceLock.Outcome.NOT_DUE, a.runIfDue("partitions", HOUR, runs::incrementAndGet));
    }

    @Test
    void theLockOfAnInstanceWhoseConnectionDiesIsReleased() throws Exception {
        try (Held held = new Held("rollups")) {
            assertEquals(MaintenanceLock.Outcome.BUSY, b.runIfDue("rollups", HOUR, () -> { }));

            // what a crashed instance or a cut network leaves: the server ends the session that holds the lock
            int ended = second.jdbi().withHandle(h -> h.createQuery("""
                            WITH k AS (SELECT hashtextextended(current_schema()
                                || '/tunnelvision-maintenance/rollups', 0) AS key)
                            SELECT count(pg_terminate_backend(l.pid, 5000)) FROM pg_locks l, k
                            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                              AND l.classid = ((k.key >> 32) & 4294967295)::oid
                              AND l.objid = (k.key & 4294967295)::oid
                            """).mapTo(Integer.class).one());
            assertEquals(1, ended, "the session holding the job's lock");

            AtomicInteger runsOnB = new AtomicInteger();
            assertEquals(MaintenanceLock.Outcome.RAN, b.runIfDue("rollups", HOUR, runsOnB::incrementAndGet));
            assertEquals(1, runsOnB.get());
            // A's job itself finishes, but its connection is gone: A cannot record or unlock, and says so
            assertTrue(failsOrFailed(held), "instance A must not report a run it could not record");
        }
        assertEquals("instance-b", ranBy("rollups"));
    }

    @Test
    void twoInstancesOnTheSameScheduleRunTheJobOncePerIntervalNeverAtOnce() throws Exception {
        Duration every = Duration.ofMillis(400);
        AtomicInteger active = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<long[]> runs = Collections.synchronizedList(new ArrayList<>());
        Runnable job = () -> {
            if (active.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            long start = System.nanoTime();
            sleep(50);
            runs.add(new long[] {start, System.nanoTime()});
            active.decrementAndGet();
        };
        long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        // two threads per instance, each trying every 20 ms: far more often than the interval
        for (MaintenanceLock instance : List.of(a, b, a, b)) {
            workers.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    instance.runIfDue("rollups", every, job);
                    sleep(20);
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
        pool.shutdownNow();

        assertEquals(0, overlaps.get(), "two runs at once");
        List<long[]> sorted = new ArrayList<>(runs);
        sorted.sort((x, y) -> Long.compare(x[0], y[0]));
        assertTrue(sorted.size() >= 4, "the job ran " + sorted.size() + " times in 4 s at 400 ms");
        for (int k = 1; k < sorted.size(); k++) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(sorted.get(k)[0] - sorted.get(k - 1)[1]);
            // 90 % of the interval, less a little for the two clocks (the database's and this JVM's)
            assertTrue(gapMs >= 340, "run " + k + " began " + gapMs + " ms after the one before it ended");
        }
        double ran = count(metricsA, "rollups", "ran") + count(metricsB, "rollups", "ran");
        assertEquals(sorted.size(), (int) ran);
    }

    @Test
    void schemasDoNotShareLocks() throws Exception {
        PostgresEndpoint other = SharedPostgres.get().newSchema("maint_other");
        try (Database elsewhere = Database.pooled(other.jdbcUrl(), other.user(), other.password(), 2)) {
            elsewhere.migrate();
            MaintenanceLock c = new MaintenanceLock(elsewhere.jdbi(), "instance-c", new SimpleMeterRegistry());
            try (Held held = new Held("rollups")) {
                assertEquals(MaintenanceLock.Outcome.RAN, c.runIfDue("rollups", HOUR, () -> { }),
                        "a deployment in another schema of the same database");
                assertEquals(MaintenanceLock.Outcome.RAN, held.finish());
            }
        }
    }

    @Test
    void partitionsAndRollupsUnderTheLockFromTwoInstancesStoreEachRollupOnce() throws Exception {
        Clock clock = Clock.systemUTC();
        PartitionMaintenance partitionsA = new PartitionMaintenance(first.jdbi(), Retention.DEFAULT, clock);
        PartitionMaintenance partitionsB = new PartitionMaintenance(second.jdbi(), Retention.DEFAULT, clock);
        Rollups rollupsA = new Rollups(first.jdbi(), partitionsA, clock);
        Rollups rollupsB = new Rollups(second.jdbi(), partitionsB, clock);
        a.runIfDue("partitions", HOUR, partitionsA::run);
        assertEquals(MaintenanceLock.Outcome.NOT_DUE, b.runIfDue("partitions", HOUR, partitionsB::run));

        Instant minute = clock.instant().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(3));
        partitionsA.ensure(PartitionedTable.of(MetricFamily.KERNEL, Tier.RAW), minute);
        first.jdbi().useHandle(h -> {
            h.execute("INSERT INTO hosts (host_id, boot_id, agent_version, first_seen, last_seen, last_sequence)"
                    + " VALUES ('gw-1', 'b', 'v', now(), now(), 1)");
            for (int s = 0; s < 60; s += 10) {
                h.createUpdate("INSERT INTO kernel_rates (host_key, ts, udp_rcvbuf_errors)"
                                + " SELECT host_key, :ts, 1 FROM hosts WHERE host_id = 'gw-1'")
                        .bind("ts", OffsetDateTime.ofInstant(minute.plusSeconds(s), ZoneOffset.UTC))
                        .execute();
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<MaintenanceLock.Outcome> onA = pool.submit(() -> a.runIfDue("rollups", HOUR, rollupsA::runOnce));
            Future<MaintenanceLock.Outcome> onB = pool.submit(() -> b.runIfDue("rollups", HOUR, rollupsB::runOnce));
            List<MaintenanceLock.Outcome> outcomes = List.of(onA.get(60, TimeUnit.SECONDS),
                    onB.get(60, TimeUnit.SECONDS));
            assertEquals(1, outcomes.stream().filter(o -> o == MaintenanceLock.Outcome.RAN).count(),
                    "one instance ran the rollups: " + outcomes);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1L, TestDatabase.count(first, "SELECT count(*) FROM kernel_rates_1m"));
        assertEquals(6L, TestDatabase.count(first, "SELECT sum(samples) FROM kernel_rates_1m"));
    }

    private String ranBy(String job) {
        return first.jdbi().withHandle(h -> h.createQuery("SELECT ran_by FROM maintenance_runs WHERE job = :job")
                .bind("job", job).mapTo(String.class).one());
    }

    private static double count(SimpleMeterRegistry metrics, String job, String outcome) {
        var counter = metrics.find("tunnelvision.api.maintenance.runs").tag("task", job).tag("outcome", outcome)
                .counter();
        return counter == null ? 0.0 : counter.count();
    }

    /** Instance A running {@code job} on a thread of its own, holding the job's lock until {@link #finish}. */
    private final class Held implements AutoCloseable {
        final CountDownLatch release = new CountDownLatch(1);
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        final Future<MaintenanceLock.Outcome> outcome;

        Held(String job) throws InterruptedException {
            CountDownLatch running = new CountDownLatch(1);
            outcome = pool.submit(() -> a.runIfDue(job, HOUR, () -> {
                running.countDown();
                await(release);
            }));
            assertTrue(running.await(30, TimeUnit.SECONDS), "instance A started the job");
        }

        MaintenanceLock.Outcome finish() throws Exception {
            release.countDown();
            return outcome.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static boolean failsOrFailed(Held held) throws InterruptedException {
        try {
            return held.finish() == MaintenanceLock.Outcome.FAILED;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.Await;
import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.embedded.EmbeddedPostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Stops a real PostgreSQL while records keep arriving, starts it again, and counts: the consumer must pause, retry,
 * lose nothing and store nothing twice. The server is private to this test, so stopping it disturbs no other.
 */
class IngestOutageIT {

    @Test
    void aDatabaseOutageUnderLoadLosesNothingAndDoublesNothing() throws Exception {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
        try (EmbeddedPostgresServer server = new EmbeddedPostgresServer().start();
             IngestHarness kafka = new IngestHarness()) {
            Database database = Database.pooled(server.jdbcUrl("postgres") + "?currentSchema=outage_it",
                    server.user(), server.password(), 4);
            database.migrate();
            kafka.start(database);

            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Thread load = new Thread(() -> {
                while (producing.get()) {
                    int s = sent.get();
                    String host = "gw-" + (s % 5);
                    kafka.send(kafka.topics.linkRates, host, TestRecords.link(host, t0.plusSeconds(s / 5), s, s,
                            "tun0", "eth0"));
                    // every tenth record is published twice, as a producer retry would
                    if (s % 10 == 0) {
                        kafka.send(kafka.topics.linkRates, host, TestRecords.link(host, t0.plusSeconds(s / 5), s, s,
                                "tun0", "eth0"));
                    }
                    sent.incrementAndGet();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "it-load");
            load.start();
            Await.until(Duration.ofSeconds(60), () -> TestDatabase.count(database, "SELECT count(*) FROM link_rates"),
                    c -> c > 200, "rows flowing before the outage");

            server.stop();
            Thread.sleep(4_000);
            long sentDuringOutage = sent.get();
            server.start();
            Thread.sleep(1_000);
            producing.set(false);
            load.join();
            kafka.producer.flush();

            long expected = 2L * sent.get();
            Await.until(Duration.ofSeconds(90), () -> TestDatabase.count(database, "SELECT count(*) FROM link_rates"),
                    c -> c == expected, expected + " rows (2 interfaces x " + sent.get() + " records)");
            assertTrue(kafka.retries() > 0, "the consumer should have retried while the database was down");
            assertTrue(sentDuringOutage > 0);
            Thread.sleep(500);
            assertEquals(expected, TestDatabase.count(database, "SELECT count(*) FROM link_rates"),
                    "and no more: replays and duplicates were skipped");
            assertEquals(0.0, kafka.counter("dead-lettered"), "an outage is not a reason to dead-letter anything");
            assertEquals(List.of(5L), List.of(TestDatabase.count(database, "SELECT count(*) FROM hosts")));
            kafka.stop();
            database.close();
        }
    }
}

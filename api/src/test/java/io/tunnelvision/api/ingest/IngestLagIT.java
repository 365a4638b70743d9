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
import org.junit.jupiter.api.Test;

/**
 * The ingest consumer's lag and row counts as {@code /metrics} shows them, on a real broker and a real PostgreSQL:
 * records waiting while the database is down show as lag, and once it is back the lag drains to zero and the rows
 * counted are the rows stored. The server is private to this test, so stopping it disturbs no other.
 */
class IngestLagIT {

    private static final int RECORDS = 16_000;

    @Test
    void recordsWaitingForTheDatabaseShowAsLagThatDrainsOnceItIsBack() throws Exception {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3_600);
        try (EmbeddedPostgresServer server = new EmbeddedPostgresServer().start();
             IngestHarness kafka = new IngestHarness()) {
            Database database = Database.pooled(server.jdbcUrl("postgres") + "?currentSchema=lag_it",
                    server.user(), server.password(), 4);
            database.migrate();
            server.stop();

            // all of them on the topic before the consumer's first fetch. A poll takes at most max.poll.records
            // (5,000), and the consumer polls once more while the first batch is written: so at least 6,000 are lag
            // for as long as the database cannot take that first batch
            for (int s = 0; s < RECORDS; s++) {
                String host = "gw-" + (s % 6);
                kafka.send(kafka.topics.linkRates, host, TestRecords.link(host, t0.plusSeconds(s / 6), s, s,
                        "tun0", "eth0"));
            }
            kafka.producer.flush();
            kafka.start(database);

            double waiting = Await.until(Duration.ofSeconds(90), () -> lag(kafka), l -> l >= RECORDS - 2 * 5_000,
                    "lag of the records behind the first poll");
            assertTrue(waiting <= RECORDS, "lag " + waiting + " of " + RECORDS + " records");
            Await.until(Duration.ofSeconds(30), kafka::retries, r -> r > 0, "retries while the database is down");
            assertEquals(0.0, rows(kafka), "nothing stored yet");

            server.start();
            long expected = 2L * RECORDS;
            Await.until(Duration.ofSeconds(120), () -> TestDatabase.count(database,
                    "SELECT count(*) FROM link_rates"), c -> c == expected, expected + " rows");
            Await.until(Duration.ofSeconds(30), () -> lag(kafka), l -> l == 0.0, "the lag drained");
            Await.until(Duration.ofSeconds(30), () -> rows(kafka), r -> r == expected,
                    "tunnelvision_ingest_rows_total{kind=metric} = the rows stored");
            kafka.stop();
            database.close();
        }
    }

    private static double lag(IngestHarness kafka) {
        return kafka.metrics.get("tunnelvision.ingest.consumer.lag").tag("topic", kafka.topics.linkRates.name())
                .gauge().value();
    }

    private static double rows(IngestHarness kafka) {
        return kafka.metrics.get("tunnelvision.ingest.rows").tag("kind", "metric").counter().count();
    }
}

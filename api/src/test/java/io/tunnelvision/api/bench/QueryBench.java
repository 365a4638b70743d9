package io.tunnelvision.api.bench;

import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.Metric;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.PartitionedTable;
import io.tunnelvision.api.db.ReadRows;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.SeriesDao;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Query latency of "24 h of one host and interface at a 1-minute step" over 30 days of 1-minute history for a fleet:
 * the history is generated in the database (link_rates_1m, 8 interfaces per gateway), then random hosts, interfaces
 * and days are read through {@link SeriesDao}, the API's own code path, and the latency distribution is printed.
 * Not a test; {@code java -cp ... io.tunnelvision.api.bench.QueryBench [gateways] [queries] [dataDir]}.
 */
public final class QueryBench {

    private QueryBench() {
    }

    public static void main(String[] args) {
        int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        Path dataDir = args.length > 2 ? Path.of(args[2]) : null;
        Instant end = Instant.parse("2026-03-31T00:00:00Z");
        Instant start = end.minus(Duration.ofDays(30));
        Clock clock = Clock.fixed(end, ZoneOffset.UTC);
        try (EmbeddedPostgresServer pg = (dataDir == null ? new EmbeddedPostgresServer()
                : new EmbeddedPostgresServer(dataDir)).start()) {
            Database database = Database.pooled(pg.jdbcUrl("postgres") + "?currentSchema=bench", pg.user(),
                    pg.password(), 4);
            database.migrate();
            PartitionMaintenance partitions = new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, clock);
            PartitionedTable table = PartitionedTable.of(MetricFamily.LINK, Tier.MINUTE);
            partitions.ensureRange(table, start, end);
            long existing = database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM link_rates_1m")
                    .mapTo(Long.class).one());
            long begin = System.nanoTime();
            if (existing == 0) {
                database.jdbi().useHandle(h -> h.execute("""
                        INSERT INTO hosts (host_id, boot_id, agent_version, first_seen, last_seen, last_sequence)
                        SELECT format('gw-%s', lpad(g::text, 3, '0')), 'boot', '0.1.0', now(), now(), 0
                        FROM generate_series(0, ?) g ON CONFLICT DO NOTHING
                        """, gateways - 1));
                // one day at a time: each statement fills one partition, in key order like ingest would
                for (Instant day = start; day.isBefore(end); day = day.plus(Duration.ofDays(1))) {
                    Instant dayStart = day;
                    database.jdbi().useHandle(h -> h.createUpdate("""
                            INSERT INTO link_rates_1m (host_key, ts, samples, rx_bytes, rx_packets, rx_errors,
                                rx_dropped, rx_fifo_errors, rx_over_errors, rx_frame_errors, tx_bytes, tx_packets,
                                tx_errors, tx_dropped, tx_fifo_errors, tx_carrier_errors, iface)
                            SELECT h.host_key, t, 60, p * 850, p, 0, (random() < 0.01)::int * random() * 10, 0, 0, 0,
                                   p * 800, p * 0.95, 0, 0, 0, 0, i
                            FROM hosts h
                            CROSS JOIN generate_series(CAST(:from AS timestamptz), CAST(:to AS timestamptz),
                                                       interval '1 minute') t
                            CROSS JOIN unnest(ARRAY['eth0','eth1','tun0','tun1','wg0','wg1','vxlan0','lo']) i
                            CROSS JOIN LATERAL (SELECT (50000 + random() * 50000)::real AS p) v
                            ORDER BY h.host_key, i, t
                            """)
                            .bind("from", dayStart.atOffset(ZoneOffset.UTC))
                            .bind("to", dayStart.plus(Duration.ofDays(1)).minusSeconds(60).atOffset(ZoneOffset.UTC))
                            .execute());
                }
                database.jdbi().useHandle(h -> h.execute("VACUUM ANALYZE link_rates_1m"));
                System.out.printf("generated in %d s%n", (System.nanoTime() - begin) / 1_000_000_000);
            }
            long rows = database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM link_rates_1m")
                    .mapTo(Long.class).one());
            long bytes = database.jdbi().withHandle(h -> h.createQuery("""
                    SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('link_rates_1m') WHERE isleaf
                    """).mapTo(Long.class).one());
            System.out.printf("%d gateways, %,d rows, %,d MB in link_rates_1m%n", gateways, rows, bytes >> 20);

            SeriesDao series = new SeriesDao(database.jdbi());
            SplittableRandom random = new SplittableRandom(1);
            String[] ifaces = FleetGenerator.IFACES;
            long[] micros = new long[queries];
            int points = 0;
            for (int q = -200; q < queries; q++) {
                int hostKey = 1 + random.nextInt(gateways);
                String iface = ifaces[random.nextInt(ifaces.length)];
                Instant from = start.plus(Duration.ofMinutes(random.nextInt(29 * 1440)));
                long t0 = System.nanoTime();
                List<ReadRows.Point> result = series.series(Metric.RX_PACKETS, Tier.MINUTE, hostKey, iface, null,
                        from, from.plus(Duration.ofDays(1)), Duration.ofMinutes(1));
                long took = (System.nanoTime() - t0) / 1000;
                if (q >= 0) {
                    micros[q] = took;
                    points += result.size();
                }
            }
            Arrays.sort(micros);
            System.out.printf("%d queries of 24 h at 1-minute step (%d points on average): p50 %.1f ms, p90 %.1f ms,"
                    + " p99 %.1f ms, max %.1f ms%n", queries, points / queries, micros[queries / 2] / 1000.0,
                    micros[queries * 9 / 10] / 1000.0, micros[queries * 99 / 100] / 1000.0,
                    micros[queries - 1] / 1000.0);
            database.close();
        }
    }
}

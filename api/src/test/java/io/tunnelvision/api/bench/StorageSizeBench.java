package io.tunnelvision.api.bench;

import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Rollups;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.embedded.EmbeddedPostgresServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures bytes per gateway per day: writes a full day of per-second rates for a few gateways through the ingest
 * path, rolls it up into the minute and hour tiers, vacuums, and reads pg_total_relation_size (heap, TOAST and
 * indexes) of every partition. Not a test; run with
 * {@code java -cp ... io.tunnelvision.api.bench.StorageSizeBench [gateways] [hours]}.
 */
public final class StorageSizeBench {

    private StorageSizeBench() {
    }

    public static void main(String[] args) {
        int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int hours = args.length > 1 ? Integer.parseInt(args[1]) : 24;
        Instant day = Instant.parse("2026-03-10T00:00:00Z");
        Clock clock = Clock.fixed(day.plus(Duration.ofHours(hours)).plusSeconds(60), ZoneOffset.UTC);
        try (EmbeddedPostgresServer server = new EmbeddedPostgresServer().start()) {
            Database database = Database.connect(server.jdbcUrl("postgres") + "?currentSchema=bench", server.user(),
                    server.password());
            database.migrate();
            PartitionMaintenance partitions = new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, clock);
            IngestWriter writer = new IngestWriter(database.jdbi(), partitions, RowSink.copy());
            FleetGenerator generator = new FleetGenerator(42);
            long begin = System.nanoTime();
            for (int g = 0; g < gateways; g++) {
                String host = String.format("gw-%03d", g);
                List<Item> batch = new ArrayList<>();
                for (int s = 1; s <= hours * 3600; s++) {
                    batch.addAll(generator.second(host, day.plusSeconds(s), s));
                    if (batch.size() >= 2000) {
                        writer.write(batch);
                        batch.clear();
                    }
                }
                writer.write(batch);
                System.out.printf("gateway %s written after %d s%n", host, (System.nanoTime() - begin) / 1_000_000_000);
            }
            Rollups rollups = new Rollups(database.jdbi(), partitions, clock);
            Instant end = day.plus(Duration.ofHours(hours));
            for (MetricFamily family : MetricFamily.values()) {
                rollups.rollUp(family, Tier.MINUTE, day, end);
                rollups.rollUp(family, Tier.HOUR, day, end);
            }
            database.jdbi().useHandle(h -> h.execute("VACUUM ANALYZE"));
            System.out.printf("%-20s %14s %14s%n", "table", "bytes/gw/day", "rows/gw/day");
            long[] perTier = new long[Tier.values().length];
            for (Tier tier : Tier.values()) {
                for (MetricFamily family : MetricFamily.values()) {
                    String table = family.table(tier);
                    long bytes = database.jdbi().withHandle(h -> h.createQuery("""
                            SELECT coalesce(sum(pg_total_relation_size(relid)), 0)
                            FROM pg_partition_tree(to_regclass(:table)) WHERE isleaf
                            """).bind("table", table).mapTo(Long.class).one());
                    long rows = database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM " + table)
                            .mapTo(Long.class).one());
                    double scale = 24.0 / hours / gateways;
                    perTier[tier.ordinal()] += (long) (bytes * scale);
                    System.out.printf("%-20s %14d %14d%n", table, (long) (bytes * scale), (long) (rows * scale));
                }
            }
            for (Tier tier : Tier.values()) {
                System.out.printf("tier %-4s %,14d bytes/gw/day%n", tier.label(), perTier[tier.ordinal()]);
            }
            System.out.printf("took %d s%n", (System.nanoTime() - begin) / 1_000_000_000);
        }
    }
}

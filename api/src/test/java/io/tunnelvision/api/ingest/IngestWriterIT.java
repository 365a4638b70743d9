package io.tunnelvision.api.ingest;

import static io.tunnelvision.api.TestDatabase.count;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.TestDatabase;
import io.tunnelvision.api.TestRecords;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.PartitionedTable;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedPostgres;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The writer on a real PostgreSQL with the real migrations: every record type, replays, and both sinks. */
class IngestWriterIT {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final Instant T0 = NOW.minusSeconds(600);

    private Database database;
    private PartitionMaintenance partitions;

    @BeforeEach
    void freshSchema() {
        database = TestDatabase.fresh("ingest_writer_it");
        partitions = new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private IngestWriter writer(String sink) {
        return new IngestWriter(database.jdbi(), partitions, sink.equals("copy") ? RowSink.copy()
                : RowSink.multiRowInsert());
    }

    private static List<Item> everyKind(String host) {
        return List.of(
                new Item(Source.LINK_RATES, TestRecords.link(host, T0, 1, 100, "tun0", "eth0")),
                new Item(Source.SOFTNET_RATES, TestRecords.softnet(host, T0, 1, 4, 10)),
                new Item(Source.INTERRUPT_RATES, TestRecords.interrupts(host, T0, 1, 4, 5)),
                new Item(Source.KERNEL_RATES, TestRecords.kernel(host, T0, 1, 2.5)),
                new Item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig(host, T0, 1, 1420)),
                new Item(Source.KERNEL_SETTINGS, TestRecords.kernelSettings(host, T0, 1, 212992)),
                new Item(Source.LATENCY, TestRecords.latency(host, T0, 1, "gw-peer", 1500, 900)),
                new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-1", host, HotspotType.SOFTNET_SQUEEZE,
                        HotspotState.OPEN, T0, T0)),
                new Item(Source.COMMAND_PROPOSALS, TestRecords.command("cmd-1", host, T0)),
                new Item(Source.COMMAND_DECISIONS, TestRecords.decision("cmd-1", host, Decision.APPROVE, T0)),
                new Item(Source.COMMANDS, TestRecords.command("cmd-1", host, T0)),
                new Item(Source.COMMAND_RESULTS, TestRecords.result("cmd-1", host, CommandStatus.APPLIED, T0)),
                new Item(Source.COMMAND_OUTCOMES, TestRecords.outcome("cmd-1", host, Verdict.VERIFIED, T0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "insert"})
    void everyRecordKindLandsInItsTable(String sink) {
        writer(sink).write(everyKind("gw-1"));

        assertEquals(2, count(database, "SELECT count(*) FROM link_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM softnet_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM interrupt_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM kernel_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM interface_configs"));
        assertEquals(1, count(database, "SELECT count(*) FROM kernel_settings"));
        assertEquals(2, count(database, "SELECT count(*) FROM latency_samples"));
        assertEquals(1, count(database, "SELECT count(*) FROM hotspots"));
        assertEquals(List.of("true true"), database.jdbi().withHandle(h -> h.createQuery(
                "SELECT proposed || ' ' || published FROM commands").mapTo(String.class).list()));
        assertEquals(1, count(database, "SELECT count(*) FROM command_decisions"));
        assertEquals(1, count(database, "SELECT count(*) FROM command_results"));
        assertEquals("verified", database.jdbi().withHandle(h -> h.createQuery(
                "SELECT status FROM command_status WHERE command_id = 'cmd-1'").mapTo(String.class).one()));
        assertEquals(1, count(database, "SELECT count(*) FROM hosts WHERE host_id = 'gw-1' AND agent_version = '0.1.0'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "insert"})
    void perCpuValuesSitAtTheirCpuIdWithNullsForMissingOnes(String sink) {
        writer(sink).write(List.of(new Item(Source.SOFTNET_RATES, TestRecords.softnet("gw-1", T0, 1, 3, 10))));

        Float[] processed = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT processed FROM softnet_rates").mapTo(Float[].class).one());
        Float[] receivedRps = database.jdbi().withHandle(h -> h.createQuery(
                "SELECT coalesce(received_rps, '{}') FROM softnet_rates").mapTo(Float[].class).one());

        assertArrayEquals(new Float[] {10f, 20f, 30f}, processed);
        assertArrayEquals(new Float[0], receivedRps, "a counter no CPU reports is stored as NULL, not as nulls");
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "insert"})
    void replayingTheSameRecordsLeavesOneRowEach(String sink) {
        IngestWriter writer = writer(sink);
        writer.write(everyKind("gw-1"));
        List<Item> twice = new ArrayList<>(everyKind("gw-1"));
        twice.addAll(everyKind("gw-1"));

        writer.write(twice);

        assertEquals(2, count(database, "SELECT count(*) FROM link_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM softnet_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM interrupt_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM kernel_rates"));
        assertEquals(1, count(database, "SELECT count(*) FROM interface_configs"));
        assertEquals(1, count(database, "SELECT count(*) FROM kernel_settings"));
        assertEquals(2, count(database, "SELECT count(*) FROM latency_samples"));
        assertEquals(1, count(database, "SELECT count(*) FROM hotspots"));
        assertEquals(1, count(database, "SELECT count(*) FROM commands"));
        assertEquals(1, count(database, "SELECT count(*) FROM command_results"));
        assertEquals(1, count(database, "SELECT count(*) FROM command_outcomes"));
        assertEquals(1, count(database, "SELECT count(*) FROM hosts"));
    }

    @Test
    void anUnchangedConfigurationAddsNoRowAndAChangedOneDoes() {
        IngestWriter writer = writer("copy");
        writer.write(List.of(new Item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig("gw-1", T0, 1, 1420))));

        writer.write(List.of(
                new Item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig("gw-1", T0.plusSeconds(30), 2, 1420)),
                new Item(Source.INTERFACE_CONFIG, TestRecords.interfaceConfig("gw-1", T0.plusSeconds(60), 3, 1380)),
                new Item(Source.KERNEL_SETTINGS, TestRecords.kernelSettings("gw-1", T0, 1, 212992)),
                new Item(Source.KERNEL_SETTINGS, TestRecords.kernelSettings("gw-1", T0.plusSeconds(30), 2, 212992))));

        assertEquals(List.of(1420, 1380), database.jdbi().withHandle(h -> h.createQuery(
                "SELECT mtu FROM interface_configs ORDER BY valid_from").mapTo(Integer.class).list()));
        assertEquals(1, count(database, "SELECT count(*) FROM kernel_settings"));
    }

    @Test
    void aHotspotMovesForwardOnlyAndNeverReopens() {
        IngestWriter writer = writer("copy");
        writer.write(List.of(new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-1", "gw-1",
                HotspotType.RPS_OFF, HotspotState.CLOSED, T0, T0.plusSeconds(120)))));

        writer.write(List.of(new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-1", "gw-1",
                HotspotType.RPS_OFF, HotspotState.OPEN, T0, T0.plusSeconds(60)))));

        assertEquals("CLOSED", database.jdbi().withHandle(h -> h.createQuery(
                "SELECT state FROM hotspots").mapTo(String.class).one()));
    }

    @Test
    void aHotspotOpenedAndClosedInOneBatchEndsClosedWithBatchesRewrittenAsTheApiRuns() {
        // the api's pool has the driver rewrite a batch into one multi-row INSERT, where ON CONFLICT DO UPDATE
        // may not touch one row twice
        PostgresEndpoint endpoint = SharedPostgres.get().newSchema("ingest_rounds");
        try (Database pooled = Database.pooled(endpoint.jdbcUrl(), endpoint.user(), endpoint.password(), 2)) {
            pooled.migrate();
            IngestWriter writer = new IngestWriter(pooled.jdbi(), new PartitionMaintenance(pooled.jdbi(),
                    Retention.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC)), RowSink.multiRowInsert());
            writer.write(List.of(
                    new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-2", "gw-1", HotspotType.RPS_OFF,
                            HotspotState.OPEN, T0, T0.plusSeconds(1))),
                    new Item(Source.HOTSPOTS, TestRecords.hotspot("hs-2", "gw-1", HotspotType.RPS_OFF,
                            HotspotState.CLOSED, T0, T0.plusSeconds(9)))));

            assertEquals("CLOSED", pooled.jdbi().withHandle(h -> h.createQuery(
                    "SELECT state FROM hotspots WHERE hotspot_id = 'hs-2'").mapTo(String.class).one()));
        }
    }

    @Test
    void rowsPastRetentionAreSkippedAndCounted() {
        IngestWriter.Stats stats = writer("copy").write(List.of(
                new Item(Source.LINK_RATES, TestRecords.link("gw-1", NOW.minusSeconds(5 * 86_400), 1, 1, "tun0")),
                new Item(Source.LINK_RATES, TestRecords.link("gw-1", T0, 2, 1, "tun0"))));

        assertEquals(1, stats.expired());
        assertEquals(1, count(database, "SELECT count(*) FROM link_rates"));
    }

    @Test
    void aRowStampedYearsAheadIsSkippedCountedAndGetsNoPartition() {
        // Given a host whose clock reads five years ahead, beside a sound one
        Instant years = NOW.plus(Duration.ofDays(5 * 365));
        Item skewed = new Item(Source.LINK_RATES, TestRecords.link("gw-skewed", years, 1, 1, "tun0"));

        // When a caller that skipped the consumer's check writes both
        IngestWriter.Stats stats = writer("copy").write(List.of(skewed,
                new Item(Source.LINK_RATES, TestRecords.link("gw-1", T0, 2, 1, "tun0"))));

        // Then the sound row is stored, the skewed one is counted and no partition was made for it
        assertEquals(1, stats.future());
        assertEquals(1, count(database, "SELECT count(*) FROM link_rates"));
        assertEquals(List.of("gw-1"), database.jdbi().withHandle(h -> h.createQuery("SELECT host_id FROM hosts")
                .mapTo(String.class).list()), "not even its host row");
        String yearsAhead = "link_rates_p" + years.toString().substring(0, 4);
        assertTrue(partitions.partitions(PartitionedTable.of(MetricFamily.LINK, Tier.RAW)).stream()
                .noneMatch(p -> p.startsWith(yearsAhead)), partitions.partitions(
                        PartitionedTable.of(MetricFamily.LINK, Tier.RAW)).toString());
        InvalidRecordException refused = assertThrows(InvalidRecordException.class, () -> writer("copy")
                .checkTime(skewed));
        assertTrue(refused.getMessage().contains("TUNNELVISION_API_MAX_FUTURE"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> partitions.ensure(
                PartitionedTable.of(MetricFamily.LINK, Tier.RAW), years));
    }

    @Test
    void aRowWithinTheBoundAheadIsStored() {
        Instant ahead = NOW.plus(PartitionMaintenance.DEFAULT_MAX_FUTURE).minusSeconds(1);

        IngestWriter.Stats stats = writer("copy").write(List.of(
                new Item(Source.LINK_RATES, TestRecords.link("gw-fast", ahead, 1, 1, "tun0"))));

        assertEquals(0, stats.future());
        assertEquals(1, count(database, "SELECT count(*) FROM link_rates"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"copy", "insert"})
    void hostsAndInterfacesThatLookLikeSqlOrCopyControlAreStoredVerbatim(String sink) {
        List<String> hostile = List.of("gw'; DROP TABLE link_rates; --", "gw\\.\t\n\\N", "gw\"); DELETE FROM hosts; --",
                "{\"a\",NULL}", "gw-ünï-🛰");
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            items.add(new Item(Source.LINK_RATES, TestRecords.link(hostile.get(i), T0, 1, i, hostile.get(i))));
        }

        writer(sink).write(items);

        assertEquals(hostile.stream().sorted().toList(), database.jdbi().withHandle(h -> h.createQuery(
                "SELECT iface FROM link_rates ORDER BY iface").mapTo(String.class).list()));
        assertEquals(hostile.size(), count(database, "SELECT count(*) FROM hosts"));
    }

    @Test
    void aBatchTheDatabaseRefusesStoresNothing() {
        IngestWriter writer = writer("copy");
        List<Item> items = new ArrayList<>(everyKind("gw-1"));
        // text cannot hold a NUL character: the whole transaction, hosts included, must roll back
        items.add(new Item(Source.LINK_RATES, TestRecords.link("gw-2", T0, 1, 1, "tun\u00000")));

        StoreException error = assertThrows(StoreException.class, () -> writer.write(items));

        assertEquals(true, SqlErrors.isPermanent(error));
        assertEquals(0, count(database, "SELECT count(*) FROM hosts"));
        assertEquals(0, count(database, "SELECT count(*) FROM link_rates"));
    }
}

package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedPostgres;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hosts table on a real PostgreSQL, each test in a schema of its own, shaped by the real migrations. */
class HostDaoIT {

    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00.123456Z");

    private Database database;
    private String schema;
    private HostDao hosts;

    @BeforeEach
    void freshSchema() {
        PostgresEndpoint endpoint = SharedPostgres.get().newSchema("host_dao_it");
        database = Database.connect(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        schema = database.schema().orElseThrow();
        hosts = database.jdbi().onDemand(HostDao.class);
    }

    @Test
    void migrationsCreateTheHostsTableInTheSchemaOfTheUrl() {
        Database.Migration migration = database.migrate();

        assertEquals(schema, migration.schema());
        assertTrue(tablesInSchema().containsAll(List.of("flyway_schema_history", "hosts")), tablesInSchema().toString());
        assertEquals(List.of(), hosts.all());
    }

    @Test
    void migratingAgainAppliesNothing() {
        Database.Migration first = database.migrate();

        Database.Migration second = database.migrate();

        assertTrue(first.applied() >= 1, "the first run should apply V1");
        assertEquals(0, second.applied());
        assertEquals(first.version(), second.version(), "the version stays where the first run left it");
    }

    @Test
    void migrationsCreateTheSchemaWhenTheUrlNamesOneThatDoesNotExistYet() {
        database.jdbi().useHandle(handle -> handle.execute("DROP SCHEMA " + schema));

        database.migrate();

        assertTrue(tablesInSchema().containsAll(List.of("flyway_schema_history", "hosts")), tablesInSchema().toString());
    }

    @Test
    void theFirstSampleOfAHostCreatesItsRow() {
        database.migrate();

        int changed = hosts.recordSample("gw-ams-01", "boot-a", "0.1.0", 7, T0);

        assertEquals(1, changed);
        assertEquals(Optional.of(new HostRow("gw-ams-01", "boot-a", "0.1.0", T0, T0, 7)), hosts.find("gw-ams-01"));
    }

    @Test
    void recordingTheSameSampleTwiceLeavesOneUnchangedRow() {
        database.migrate();
        hosts.recordSample("gw-ams-01", "boot-a", "0.1.0", 7, T0);

        int changed = hosts.recordSample("gw-ams-01", "boot-a", "0.1.0", 7, T0);

        assertEquals(0, changed, "a replayed sample is old news");
        assertEquals(List.of(new HostRow("gw-ams-01", "boot-a", "0.1.0", T0, T0, 7)), hosts.all());
    }

    @Test
    void aNewerSampleMovesLastSeenForwardAndKeepsFirstSeen() {
        database.migrate();
        hosts.recordSample("gw-ams-01", "boot-a", "0.1.0", 7, T0);
        Instant later = T0.plusSeconds(90);

        int changed = hosts.recordSample("gw-ams-01", "boot-b", "0.2.0", 1, later);

        assertEquals(1, changed);
        assertEquals(Optional.of(new HostRow("gw-ams-01", "boot-b", "0.2.0", T0, later, 1)),
                hosts.find("gw-ams-01"), "a reboot restarts the sequence, yet the later sample wins");
    }

    @Test
    void aSampleTakenAtTheSameInstantWithAHigherSequenceMovesForward() {
        database.migrate();
        hosts.recordSample("gw-ams-01", "boot-a", "0.1.0", 7, T0);

        int changed = hosts.recordSample("gw-ams-01", "boot-a", "0.1.0", 8, T0);

        assertEquals(1, changed);
        assertEquals(8, hosts.find("gw-ams-01").orElseThrow().lastSequence());
    }

    @Test
    void anOlderSampleArrivingLateDoesNotMoveLastSeenBack() {
        database.migrate();
        Instant newest = T0.plusSeconds(60);
        hosts.recordSample("gw-ams-01", "boot-b", "0.2.0", 60, newest);

        int changed = hosts.recordSample("gw-ams-01", "boot-a", "0.1.0", 1, T0);

        assertEquals(0, changed);
        assertEquals(Optional.of(new HostRow("gw-ams-01", "boot-b", "0.2.0", newest, newest, 60)),
                hosts.find("gw-ams-01"));
    }

    @Test
    void hostIdsThatLookLikeSqlAreStoredVerbatimAndDoNoHarm() {
        database.migrate();
        hosts.recordSample("gw-bystander", "boot-a", "0.1.0", 1, T0);
        List<String> hostile = List.of(
                "gw'; DROP TABLE hosts; --",
                "' OR '1'='1",
                "gw\"); DELETE FROM hosts; --",
                "gw\\'; SELECT pg_sleep(30); --",
                "$$; TRUNCATE hosts; $$",
                ":hostId",
                "%_*",
                "gw-ünï-🛰");

        for (String hostId : hostile) {
            assertEquals(1, hosts.recordSample(hostId, "boot-x", "0.1.0", 1, T0), hostId);
        }

        for (String hostId : hostile) {
            assertEquals(hostId, hosts.find(hostId).map(HostRow::hostId).orElse(null), "stored as given: " + hostId);
        }
        assertEquals(hostile.size() + 1, hosts.all().size(), "no row was lost or added");
        assertEquals("boot-a", hosts.find("gw-bystander").orElseThrow().bootId(), "other rows are untouched");
        assertEquals(Optional.empty(), hosts.find("' OR '1'='1' --"), "a lookup matches only the exact id");
    }

    @Test
    void findReturnsNothingForAnUnknownHost() {
        database.migrate();

        assertEquals(Optional.empty(), hosts.find("gw-never-seen"));
    }

    @Test
    void allListsHostsByTheirId() {
        database.migrate();
        hosts.recordSample("gw-c", "boot", "0.1.0", 1, T0);
        hosts.recordSample("gw-a", "boot", "0.1.0", 1, T0);
        hosts.recordSample("gw-b", "boot", "0.1.0", 1, T0);

        assertEquals(List.of("gw-a", "gw-b", "gw-c"), hosts.all().stream().map(HostRow::hostId).toList());
    }

    @Test
    void anEmptyHostIdIsRefused() {
        database.migrate();

        assertThrows(UnableToExecuteStatementException.class,
                () -> hosts.recordSample("", "boot", "0.1.0", 1, T0));
        assertEquals(List.of(), hosts.all());
    }

    private List<String> tablesInSchema() {
        return database.jdbi().withHandle(handle -> handle.createQuery("""
                        SELECT table_name FROM information_schema.tables
                        WHERE table_schema = :schema
                        ORDER BY table_name
                        """)
                .bind("schema", schema)
                .mapTo(String.class)
                .list());
    }
}

package io.tunnelvision.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresServerIT {

    @Test
    void keepsDataAcrossARestartOnTheSamePort() throws Exception {
        Path dataDir = Files.createTempDirectory("pg-given-");
        try (EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(dataDir).start()) {
            System.out.printf("PostgreSQL first start (initdb): %d ms%n", postgres.lastStartDuration().toMillis());
            int port = postgres.port();
            try (Connection connection = connect(postgres); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE probe (gateway text PRIMARY KEY, rtt_ms double precision)");
                statement.execute("INSERT INTO probe VALUES ('gw-1', 12.5)");
                assertEquals("17", query(statement, "SHOW server_version").split("\\.")[0]);
            }

            postgres.stop();
            assertFalse(postgres.isRunning());
            assertThrows(SQLException.class, () -> connect(postgres).close());

            postgres.start();
            System.out.printf("PostgreSQL restart: %d ms%n", postgres.lastStartDuration().toMillis());
            assertEquals(port, postgres.port());
            try (Connection connection = connect(postgres); Statement statement = connection.createStatement()) {
                assertEquals("12.5", query(statement, "SELECT rtt_ms FROM probe WHERE gateway = 'gw-1'"));
            }
        } finally {
            assertTrue(Files.exists(dataDir.resolve("PG_VERSION")), "a given data directory survives close()");
            LocalServers.deleteRecursively(dataDir);
        }
    }

    @Test
    void resumesAClusterInANewObjectOnTheSameDirectory() throws Exception {
        Path dataDir = Files.createTempDirectory("pg-given-");
        try {
            try (EmbeddedPostgresServer first = new EmbeddedPostgresServer(dataDir).start();
                    Connection connection = connect(first); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE kept (id int)");
            }
            try (EmbeddedPostgresServer second = new EmbeddedPostgresServer(dataDir).start();
                    Connection connection = connect(second); Statement statement = connection.createStatement()) {
                assertEquals("0", query(statement, "SELECT count(*) FROM kept"));
            }
        } finally {
            LocalServers.deleteRecursively(dataDir);
        }
    }

    @Test
    void deletesTheTemporaryDirectoryItCreated() {
        EmbeddedPostgresServer postgres = new EmbeddedPostgresServer().start();
        Path dataDir = postgres.dataDir();
        assertTrue(Files.exists(dataDir.resolve("PG_VERSION")));
        postgres.close();
        assertFalse(Files.exists(dataDir));
    }

    private static Connection connect(EmbeddedPostgresServer postgres) throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl("postgres"), postgres.user(), postgres.password());
    }

    private static String query(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            assertTrue(result.next(), sql);
            return result.getString(1);
        }
    }
}

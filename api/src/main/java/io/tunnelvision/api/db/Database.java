package io.tunnelvision.api.db;

import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The api's PostgreSQL database: one {@link Jdbi} for the DAOs and the Flyway migrations that shape it.
 * The tables live in the URL's {@code currentSchema} when it names one, so several instances (or tests) can
 * share a server without seeing each other's rows.
 */
public final class Database implements AutoCloseable {

    static final String MIGRATIONS = "classpath:db/migration";

    private final DataSource dataSource;
    private final Jdbi jdbi;
    private final Optional<String> schema;

    private Database(DataSource dataSource, Optional<String> schema) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.jdbi = Jdbi.create(dataSource)
                .installPlugin(new SqlObjectPlugin())
                .installPlugin(new PostgresPlugin());
    }

    /**
     * Prepares connections to {@code url}; nothing is opened until the first migration or query.
     *
     * @param password empty sends no password, for servers that trust the client or a ~/.pgpass file
     * @throws IllegalArgumentException if {@code url} is not a PostgreSQL JDBC URL
     */
    public static Database connect(String url, String user, String password) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(user);
        if (!password.isEmpty()) {
            dataSource.setPassword(password);
        }
        return new Database(dataSource, firstSchema(dataSource.getCurrentSchema()));
    }

    /**
     * A pooled database for the running api: connections are opened lazily, so the api starts (and reports itself
     * unhealthy) while PostgreSQL is still down, and a connection that PostgreSQL dropped is replaced on the next
     * borrow.
     */
    public static Database pooled(String url, String user, String password, int poolSize) {
        PGSimpleDataSource probe = new PGSimpleDataSource();
        probe.setUrl(url); // validates the URL and tells the schema
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setPoolName("tunnelvision-api");
        config.setJdbcUrl(url);
        config.setUsername(user);
        if (!password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        // Fail fast while the database is down: ingest backs off and retries, HTTP answers 503.
        config.setConnectionTimeout(3_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        // Multi-row inserts from JDBC batches (see InsertRowSink).
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new Database(new com.zaxxer.hikari.HikariDataSource(config), firstSchema(probe.getCurrentSchema()));
    }

    /** Closes the pool, if this database has one. */
    @Override
    public void close() {
        if (dataSource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("Could not close the connection pool", e);
            }
        }
    }

    /** What {@link #migrate()} did. */
    public record Migration(String schema, int applied, String version) {
    }

    /**
     * Applies every pending migration, creating the schema first if the URL names one that does not exist.
     *
     * @throws org.flywaydb.core.api.FlywayException if the database cannot be reached or a migration fails
     */
    public Migration migrate() {
        FluentConfiguration flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .failOnMissingLocations(true);
        schema.ifPresent(flyway::schemas);
        MigrateResult result = flyway.load().migrate();
        // Flyway reports no target version when there was nothing to apply.
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        return new Migration(result.schemaName, result.migrationsExecuted, version);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** The schema named by the URL's {@code currentSchema}, if any; otherwise the server's search path decides. */
    public Optional<String> schema() {
        return schema;
    }

    /**
     * {@code currentSchema} may be a search path such as {@code tv,public}: tables are created in the first
     * entry, which is also where PostgreSQL will look for them first.
     */
    static Optional<String> firstSchema(String currentSchema) {
        if (currentSchema == null) {
            return Optional.empty();
        }
        String first = currentSchema.split(",", 2)[0].trim();
        if (first.length() >= 2 && first.startsWith("\"") && first.endsWith("\"")) {
            first = first.substring(1, first.length() - 1);
        }
        return first.isEmpty() ? Optional.empty() : Optional.of(first);
    }
}

package io.tunnelvision.api.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** {@link #pooled(String, String, String, int, DatabaseTimeouts)} with {@link DatabaseTimeouts#DEFAULT}. */
    public static Database pooled(String url, String user, String password, int poolSize) {
        return pooled(url, user, password, poolSize, DatabaseTimeouts.DEFAULT);
    }

    /**
     * A pooled database for the running api: connections are opened lazily, so the api starts (and reports itself
     * unhealthy) while PostgreSQL is still down, and a connection that PostgreSQL dropped is replaced on the next
     * borrow. Every wait on the server is bounded by {@code timeouts}; parameters of the same names in {@code url}
     * win over them.
     */
    public static Database pooled(String url, String user, String password, int poolSize, DatabaseTimeouts timeouts) {
        PGSimpleDataSource probe = new PGSimpleDataSource();
        probe.setUrl(url); // validates the URL and tells the schema
        HikariConfig config = new HikariConfig();
        config.setPoolName("tunnelvision-api");
        config.setJdbcUrl(url);
        config.setUsername(user);
        if (!password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        // Fail fast while the database is down: ingest backs off and retries, HTTP answers 503.
        config.setConnectionTimeout(timeouts.pool().toMillis());
        config.setValidationTimeout(Math.min(1_000, timeouts.pool().toMillis()));
        config.setInitializationFailTimeout(-1);
        // Multi-row inserts from JDBC batches (see InsertRowSink).
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        for (var property : driverTimeouts(timeouts).entrySet()) {
            config.addDataSourceProperty(property.getKey(), property.getValue());
        }
        return new Database(new HikariDataSource(config), firstSchema(probe.getCurrentSchema()));
    }

    /**
     * The pgjdbc properties that bound every wait: without {@code socketTimeout} a read from a server that drops
     * packets waits as long as TCP retransmits (about 15 minutes); {@code statement_timeout} makes the server cancel
     * a statement before the socket timeout drops the connection.
     */
    static Map<String, String> driverTimeouts(DatabaseTimeouts timeouts) {
        Map<String, String> properties = new LinkedHashMap<>();
        String connect = Integer.toString(DatabaseTimeouts.wholeSeconds(timeouts.connect()));
        properties.put("connectTimeout", connect);
        properties.put("loginTimeout", connect);
        properties.put("socketTimeout", Integer.toString(DatabaseTimeouts.wholeSeconds(timeouts.socket())));
        properties.put("options", "-c statement_timeout=" + timeouts.statement().toMillis());
        return properties;
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

package io.tunnelvision.api;

import io.tunnelvision.api.db.Database;
import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.embedded.fixture.SharedPostgres;

/** A migrated schema of its own on the shared PostgreSQL, for one test. */
public final class TestDatabase {

    private TestDatabase() {
    }

    public static Database fresh(String prefix) {
        PostgresEndpoint endpoint = SharedPostgres.get().newSchema(prefix);
        Database database = Database.connect(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        database.migrate();
        return database;
    }

    public static long count(Database database, String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}

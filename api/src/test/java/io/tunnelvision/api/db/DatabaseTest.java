package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.Driver;
import org.junit.jupiter.api.Test;

/** Connecting opens nothing, so what Database makes of a URL is checked without a server. */
class DatabaseTest {

    @Test
    void tablesGoToTheCurrentSchemaOfTheUrl() {
        Database database = Database.connect("jdbc:postgresql://db:5432/tunnelvision?currentSchema=tv", "u", "");

        assertEquals(Optional.of("tv"), database.schema());
    }

    @Test
    void withoutACurrentSchemaTheServerDecides() {
        Database database = Database.connect("jdbc:postgresql://db:5432/tunnelvision?ssl=false", "u", "p");

        assertEquals(Optional.empty(), database.schema());
    }

    @Test
    void aSearchPathPutsTheTablesInItsFirstSchema() {
        assertEquals(Optional.of("tv"), Database.firstSchema("tv,public"));
        assertEquals(Optional.of("Fleet West"), Database.firstSchema("\"Fleet West\", public"));
        assertEquals(Optional.empty(), Database.firstSchema(" "));
        assertEquals(Optional.empty(), Database.firstSchema(null));
    }

    @Test
    void aUrlThatIsNotPostgresIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Database.connect("jdbc:mysql://db:3306/tunnelvision", "u", "p"));
    }

    @Test
    void everyWaitOnTheServerIsBoundedAndTheUrlMayOverrideIt() {
        DatabaseTimeouts timeouts = new DatabaseTimeouts(Duration.ofMillis(1_500), Duration.ofSeconds(60),
                Duration.ofSeconds(30), Duration.ofSeconds(3));

        assertEquals(Map.of("connectTimeout", "2", "loginTimeout", "2", "socketTimeout", "60",
                "options", "-c statement_timeout=30000"), Database.driverTimeouts(timeouts),
                "whole seconds, rounded up: never shorter than asked");
        // pgjdbc lets the URL's own parameters win over the properties the pool passes
        Properties merged = Driver.parseURL("jdbc:postgresql://db/tv?socketTimeout=300",
                properties(Database.driverTimeouts(timeouts)));
        assertEquals("300", merged.getProperty("socketTimeout"));
        assertEquals("2", merged.getProperty("connectTimeout"));
    }

    private static Properties properties(Map<String, String> map) {
        Properties properties = new Properties();
        properties.putAll(map);
        return properties;
    }
}

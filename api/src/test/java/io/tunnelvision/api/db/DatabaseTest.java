package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
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
}

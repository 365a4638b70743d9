package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

    @Test
    void aCursorComesBackAsItWentOutToTheNanosecond() {
        Cursor cursor = Cursor.after(Instant.parse("2026-03-10T12:00:00.123456789Z"), "hs|with|bars");

        assertEquals(cursor, Cursor.decode(cursor.encode(), true));
    }

    @Test
    void aCursorWithoutTimeIsForListsSortedByIdOnly() {
        Cursor cursor = Cursor.after(null, "gw-17");

        assertEquals(cursor, Cursor.decode(cursor.encode(), false));
        assertThrows(ApiProblem.class, () -> Cursor.decode(cursor.encode(), true), "not one for a timed list");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage!", "", "MXx8", "Mnx8Z3ctMQ", "MXxub3R8aWQ"})
    void anythingElseIsTheCallersMistake(String text) {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> Cursor.decode(text, true));

        assertEquals(400, problem.status());
    }
}

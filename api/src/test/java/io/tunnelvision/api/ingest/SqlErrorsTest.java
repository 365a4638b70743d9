package io.tunnelvision.api.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

    @Test
    void dataAndConstraintErrorsArePermanent() {
        assertTrue(SqlErrors.isPermanent(new StoreException("x", new SQLException("bad", "22021"))));
        assertTrue(SqlErrors.isPermanent(new SQLException("dup", "23505")));
        assertTrue(SqlErrors.isPermanent(new RuntimeException(new SQLException("no column", "42703"))));
    }

    @Test
    void outagesAndUnknownErrorsAreWorthRetrying() {
        assertFalse(SqlErrors.isPermanent(new SQLException("admin shutdown", "57P01")));
        assertFalse(SqlErrors.isPermanent(new SQLException("connection failure", "08006")));
        assertFalse(SqlErrors.isPermanent(new SQLTransientConnectionException("pool timeout")));
        assertFalse(SqlErrors.isPermanent(new StoreException("x", new ConnectException("refused"))));
        assertFalse(SqlErrors.isPermanent(new SQLException("who knows")));
        assertFalse(SqlErrors.isPermanent(new IllegalStateException("no cause at all")));
    }

    @Test
    void backoffDoublesUpToItsCapWithSomeJitter() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
        long[] waits = new long[6];
        for (int i = 0; i < waits.length; i++) {
            waits[i] = backoff.next().toMillis();
        }

        assertTrue(waits[0] > 80 && waits[0] <= 100, "first " + waits[0]);
        assertTrue(waits[3] > 640 && waits[3] <= 800, "fourth " + waits[3]);
        assertTrue(waits[5] > 800 && waits[5] <= 1000, "capped " + waits[5]);
        backoff.reset();
        assertTrue(backoff.next().toMillis() <= 100);
    }
}

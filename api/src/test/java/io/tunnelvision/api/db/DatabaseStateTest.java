package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DatabaseStateTest {

    private Instant now = Instant.parse("2026-03-10T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void theGaugesFollowWritesAndFailures() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        DatabaseState state = new DatabaseState(clock).bindTo(metrics);

        assertEquals(0.0, metrics.get("tunnelvision.api.database.up").gauge().value(), "not known to be up yet");
        assertTrue(Double.isNaN(metrics.get("tunnelvision.ingest.last.write.age").timeGauge().value()));

        state.written();
        now = now.plus(Duration.ofSeconds(42));
        assertEquals(1.0, metrics.get("tunnelvision.api.database.up").gauge().value());
        assertEquals(42.0, metrics.get("tunnelvision.ingest.last.write.age").timeGauge().value());
        assertNull(state.problem());

        state.unreachable(new IllegalStateException("write failed", new ConnectException("Connection refused")));
        assertEquals(0.0, metrics.get("tunnelvision.api.database.up").gauge().value());
        assertEquals("IllegalStateException: Connection refused", state.problem());
        assertEquals(42.0, metrics.get("tunnelvision.ingest.last.write.age").timeGauge().value(),
                "a failure does not reset the age of the last good write");
    }
}

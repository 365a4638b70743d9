package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void healthyOnlyWhenEveryCheckIs() {
        Health health = new Health().add("database", () -> null).add("kafka", () -> "no broker answered");

        Health.Report report = health.check();

        assertFalse(report.up());
        assertEquals(Map.of("database", "UP", "kafka", "DOWN: no broker answered"), report.checks());
    }

    @Test
    void aCheckThatThrowsCountsAsDown() {
        Health health = new Health().add("database", () -> {
            throw new IllegalStateException("Connection refused");
        });

        assertEquals("DOWN: Connection refused", health.check().checks().get("database"));
        assertTrue(new Health().check().up(), "no checks, nothing down");
    }

    @Test
    void readinessLeavesOutWhatTheApiRidesOut() {
        Health health = new Health().add("database", () -> null)
                .addNotNeededForReady("kafka", () -> "no broker answered");

        assertTrue(health.ready().up(), "Kafka down: ingest waits, HTTP still serves");
        assertEquals(Map.of("database", "UP"), health.ready().checks());
        assertFalse(health.check().up(), "/health still shows every dependency");

        Health down = new Health().add("database", () -> "Connection refused")
                .addNotNeededForReady("kafka", () -> null);
        assertFalse(down.ready().up());
    }
}

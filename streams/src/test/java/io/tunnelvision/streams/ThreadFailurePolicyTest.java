package io.tunnelvision.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class ThreadFailurePolicyTest {

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void threadsAreReplacedUpToTheBoundThenTheClientShutsDown() {
        ThreadFailurePolicy policy = new ThreadFailurePolicy(2, Duration.ofMinutes(10), clock, metrics);

        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(new Error("one")));
        now = now.plusSeconds(60);
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(new Error("two")));
        now = now.plusSeconds(60);
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(new Error("three")));

        assertEquals(2, count("replace_thread"));
        assertEquals(1, count("shutdown_client"));
    }

    @Test
    void replacementsOlderThanTheWindowNoLongerCount() {
        ThreadFailurePolicy policy = new ThreadFailurePolicy(2, Duration.ofMinutes(10), clock, metrics);
        policy.handle(new Error("one"));
        now = now.plusSeconds(300);
        policy.handle(new Error("two"));

        now = now.plusSeconds(300);

        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, policy.handle(new Error("three")),
                "the first is ten minutes old: two in the window again");
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(new Error("four")));
    }

    @Test
    void withNoReplacementsAllowedTheFirstFailureShutsDown() {
        ThreadFailurePolicy policy = new ThreadFailurePolicy(0, Duration.ofMinutes(10), clock, metrics);

        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, policy.handle(new IllegalStateException("x")));
        assertEquals(0, count("replace_thread"), "registered at zero");
    }

    @Test
    void aNegativeBoundOrAnEmptyWindowIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new ThreadFailurePolicy(-1, Duration.ofMinutes(1), clock, metrics));
        assertThrows(IllegalArgumentException.class, () -> new ThreadFailurePolicy(1, Duration.ZERO, clock, metrics));
    }

    private double count(String response) {
        return metrics.get(ThreadFailurePolicy.METRIC).tag("response", response).counter().count();
    }
}

package io.tunnelvision.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Tier;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TierChoiceTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final Retention RETENTION = new Retention(Duration.ofHours(3), Duration.ofDays(30),
            Duration.ofDays(365));

    private static Tier choose(long stepSeconds, Duration back, Duration span) {
        Instant from = NOW.minus(back);
        return TierChoice.choose(Duration.ofSeconds(stepSeconds), from, from.plus(span), NOW, RETENTION);
    }

    @Test
    void theCoarsestTierFineEnoughForTheStepIsRead() {
        assertEquals(Tier.RAW, choose(1, Duration.ofMinutes(30), Duration.ofMinutes(30)));
        assertEquals(Tier.RAW, choose(30, Duration.ofHours(1), Duration.ofHours(1)));
        assertEquals(Tier.MINUTE, choose(60, Duration.ofHours(1), Duration.ofHours(1)));
        assertEquals(Tier.MINUTE, choose(300, Duration.ofDays(7), Duration.ofDays(1)));
        assertEquals(Tier.HOUR, choose(3600, Duration.ofDays(7), Duration.ofDays(7)));
        assertEquals(Tier.HOUR, choose(86_400, Duration.ofDays(700), Duration.ofDays(300)));
    }

    @Test
    void dataOlderThanAFineTiersRetentionIsReadFromACoarserOne() {
        assertEquals(Tier.MINUTE, choose(120, Duration.ofDays(3), Duration.ofHours(1)));
    }

    @Test
    void aStepFinerThanAnythingKeptThatFarBackIsRefusedWithTheStepThatWorks() {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> choose(10, Duration.ofDays(2), Duration.ofHours(1)));

        assertEquals(400, problem.status());
        assertTrue(problem.detail().contains("use a step of at least 60s"), problem.detail());
        ApiProblem older = assertThrows(ApiProblem.class, () -> choose(60, Duration.ofDays(40), Duration.ofHours(1)));
        assertTrue(older.detail().contains("at least 3600s"), older.detail());
    }

    @Test
    void tooManyPointsAreRefusedWithTheSmallestStepThatFits() {
        ApiProblem problem = assertThrows(ApiProblem.class, () -> choose(1, Duration.ofDays(1), Duration.ofDays(1)));

        assertTrue(problem.detail().contains("use a step of at least 9s"), problem.detail());
    }
}

package io.tunnelvision.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstOfOneSecondThenTheRate() {
        TokenBucket bucket = new TokenBucket(10, 0);
        int taken = 0;
        for (int i = 0; i < 100; i++) {
            taken += bucket.tryTake(0) ? 1 : 0;
        }
        assertEquals(10, taken);
        assertFalse(bucket.tryTake(SECOND / 20), "half a token is not a token");
        assertTrue(bucket.tryTake(SECOND / 10));
    }

    @Test
    void idleTimeDoesNotBuildMoreThanOneSecondOfCredit() {
        TokenBucket bucket = new TokenBucket(5, 0);
        int taken = 0;
        for (int i = 0; i < 100; i++) {
            taken += bucket.tryTake(3600 * SECOND) ? 1 : 0;
        }
        assertEquals(5, taken);
    }

    @Test
    void aClockGoingBackGivesNothing() {
        TokenBucket bucket = new TokenBucket(1, SECOND);
        assertTrue(bucket.tryTake(SECOND));
        assertFalse(bucket.tryTake(0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 0));
    }
}

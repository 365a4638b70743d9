package io.tunnelvision.api.ingest;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, from {@code initial} doubling up to {@code max}. */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int attempt;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    /** The wait before the next attempt: doubling, capped, with up to 20 % taken off so instances spread out. */
    public Duration next() {
        long base = initial.toMillis() << Math.min(attempt, 30);
        long capped = Math.min(Math.max(base, initial.toMillis()), max.toMillis());
        attempt++;
        long jitter = (long) (capped * 0.2 * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.max(1, capped - jitter));
    }

    public void reset() {
        attempt = 0;
    }

    public int attempts() {
        return attempt;
    }
}

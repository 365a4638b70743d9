package io.tunnelvision.agent.probe;

/**
 * At most {@code perSecond} events a second, with bursts of up to one second's worth. Time comes from the
 * caller (nanoseconds, monotonic), so the arithmetic is testable without sleeping. Not thread-safe.
 */
public final class TokenBucket {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int perSecond;
    private double tokens;
    private long lastNanos;

    public TokenBucket(int perSecond, long nowNanos) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("rate must be at least 1 per second, was " + perSecond);
        }
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.lastNanos = nowNanos;
    }

    /** Takes one token if there is one. */
    public boolean tryTake(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = Math.max(lastNanos, nowNanos);
        tokens = Math.min(perSecond, tokens + (double) elapsed * perSecond / NANOS_PER_SECOND);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}

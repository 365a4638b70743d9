package io.tunnelvision.streams.fleet;

/**
 * Command sequence numbers that survive an application reset. Agents refuse a command whose sequence is not above
 * the highest they accepted from the same key, so a gate that lost its store (a new application id, a reset) must
 * not start again at 1. A sequence is therefore the gate's wall clock in microseconds (milliseconds times
 * {@value #PER_MILLISECOND}), or one above the last sequence if that is higher: a fresh store starts above every
 * sequence issued before as long as the clock moved on, and a store that is kept never goes back, whatever the
 * clock does. Up to {@value #PER_MILLISECOND} commands a millisecond fit before the counter runs ahead of the clock,
 * far more than one single-partition gate ever issues.
 */
public final class CommandSequence {

    static final long PER_MILLISECOND = 1000;

    private CommandSequence() {
    }

    /**
     * @param last   the last sequence this gate issued, 0 for a fresh store
     * @param wallMs the gate's wall clock (never a record's timestamp, which a producer chooses)
     */
    public static long next(long last, long wallMs) {
        if (wallMs < 0) {
            throw new IllegalArgumentException("wall clock before 1970: " + wallMs);
        }
        return Math.max(Math.addExact(last, 1), Math.multiplyExact(wallMs, PER_MILLISECOND));
    }
}

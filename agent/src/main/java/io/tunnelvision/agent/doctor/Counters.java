package io.tunnelvision.agent.doctor;

/** Differences of cumulative kernel counters between two readings. */
final class Counters {

    /** /proc/interrupts and softnet_stat print unsigned 32-bit counters, which wrap at this value. */
    private static final long WRAP_32 = 1L << 32;

    private Counters() {
    }

    /**
     * {@code after - before} for a counter the kernel keeps in 32 bits: a smaller second value within 32 bits
     * is a wrap, counted through.
     */
    static long delta32(long before, long after) {
        long d = after - before;
        if (d >= 0) {
            return d;
        }
        return before < WRAP_32 && after < WRAP_32 ? d + WRAP_32 : 0;
    }

    /** {@code after - before} for a 64-bit counter; a smaller second value means a reset (device re-created): 0. */
    static long delta64(long before, long after) {
        return Math.max(0, after - before);
    }

    /** {@link #delta64} of two nullable values, or null when either is missing. */
    static Long delta64(Long before, Long after) {
        return before == null || after == null ? null : delta64(before.longValue(), after.longValue());
    }
}

package io.tunnelvision.rules.rates;

import java.util.OptionalLong;

/** Differences of cumulative kernel counters, which wrap (32-bit ones) or restart (when a device resets). */
public final class Counters {

    static final long WRAP_32 = 1L << 32;

    private Counters() {
    }

    /**
     * The increase of a counter the kernel keeps as a 32-bit unsigned int ({@code /proc/interrupts},
     * {@code /proc/softirqs}, {@code softnet_stat}): a smaller value than before means it wrapped once. A value
     * beyond 32 bits going down cannot be a wrap, so the interval is unknown (empty).
     */
    public static OptionalLong delta32(long previous, long current) {
        if (current >= previous) {
            return OptionalLong.of(current - previous);
        }
        if (previous < WRAP_32 && current >= 0) {
            return OptionalLong.of(current + WRAP_32 - previous);
        }
        return OptionalLong.empty();
    }

    /** The increase of a 64-bit counter; a decrease means it was reset (driver reload), so the interval is unknown. */
    public static OptionalLong delta64(long previous, long current) {
        return current >= previous ? OptionalLong.of(current - previous) : OptionalLong.empty();
    }
}

package io.tunnelvision.agent.publish;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * When the spool forces what it appended to the disk (fdatasync). Only an OS crash or a power cut loses what is
 * written but not yet forced: a killed or crashed agent loses nothing it appended, whatever the policy, because
 * the kernel's page cache outlives the process.
 *
 * <ul>
 *   <li>{@code always}: every append is forced before it returns; nothing accepted is lost even to a power cut,
 *       at the price of one fdatasync per record (BENCHMARKS.md "Spool fsync").</li>
 *   <li>{@code interval} (default, every 1 s): a background thread forces the active segment when something was
 *       appended since the last time; a power cut loses at most the records of the last interval (plus the time
 *       the force itself takes).</li>
 *   <li>{@code never}: the kernel writes the pages back when it likes (Linux: within
 *       {@code vm.dirty_expire_centisecs}, 30 s by default).</li>
 * </ul>
 */
public record SpoolFsync(Mode mode, Duration interval) {

    public enum Mode {
        ALWAYS, INTERVAL, NEVER
    }

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final SpoolFsync DEFAULT = new SpoolFsync(Mode.INTERVAL, DEFAULT_INTERVAL);
    public static final SpoolFsync ALWAYS = new SpoolFsync(Mode.ALWAYS, DEFAULT_INTERVAL);
    public static final SpoolFsync NEVER = new SpoolFsync(Mode.NEVER, DEFAULT_INTERVAL);

    public SpoolFsync {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("fsync interval must be positive, was " + interval);
        }
    }

    public static SpoolFsync every(Duration interval) {
        return new SpoolFsync(Mode.INTERVAL, interval);
    }

    /** {@code always}, {@code interval} or {@code never}, in any case. */
    public static Mode mode(String name) {
        try {
            return Mode.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is not always, interval or never", e);
        }
    }

    @Override
    public String toString() {
        return mode == Mode.INTERVAL ? "interval " + interval : mode.name().toLowerCase(Locale.ROOT);
    }
}

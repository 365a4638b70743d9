package io.tunnelvision.agent.apply;

import io.tunnelvision.rules.catalog.TuningCatalog;
import io.tunnelvision.rules.catalog.TuningEntry;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The smallest and largest value the agent lets a command set, per numeric action. The defaults are what an
 * operator can defend on any gateway (the {@link TuningCatalog}'s bounds); {@code TUNNELVISION_AGENT_APPLY_BOUNDS}
 * narrows or widens them per fleet.
 */
public final class ApplyBounds {

    /** Inclusive. */
    public record Range(long min, long max) {
        public Range {
            if (min > max) {
                throw new IllegalArgumentException("range " + min + ".." + max + " is empty");
            }
        }

        boolean contains(long value) {
            return value >= min && value <= max;
        }

        @Override
        public String toString() {
            return min + ".." + max;
        }
    }

    private static final Map<TuningAction, Range> DEFAULTS = defaults();

    private final Map<TuningAction, Range> ranges;

    private ApplyBounds(Map<TuningAction, Range> ranges) {
        this.ranges = Map.copyOf(ranges);
    }

    /** The catalog's default bounds, where each is explained. */
    private static Map<TuningAction, Range> defaults() {
        Map<TuningAction, Range> d = new EnumMap<>(TuningAction.class);
        for (TuningEntry entry : TuningCatalog.all()) {
            entry.bounds().ifPresent(b -> d.put(entry.action(), new Range(b.min(), b.max())));
        }
        return d;
    }

    public static ApplyBounds standard() {
        return new ApplyBounds(DEFAULTS);
    }

    /**
     * The defaults with overrides such as {@code MTU=1280..9000,TXQUEUELEN=500..5000}; empty keeps the defaults.
     *
     * @throws IllegalArgumentException naming the entry that is not ACTION=MIN..MAX for a numeric action
     */
    public static ApplyBounds parse(String spec) {
        Map<TuningAction, Range> ranges = new EnumMap<>(DEFAULTS);
        for (String entry : spec.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            int dots = e.indexOf("..");
            if (eq < 1 || dots < eq) {
                throw new IllegalArgumentException("'" + e + "' is not ACTION=MIN..MAX, e.g. MTU=576..9000");
            }
            TuningAction action;
            try {
                action = TuningAction.valueOf(e.substring(0, eq).strip());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("'" + e.substring(0, eq).strip() + "' is not a tuning action");
            }
            if (!DEFAULTS.containsKey(action)) {
                throw new IllegalArgumentException(action + " takes no numeric bounds (its values are checked "
                        + "against this host's CPUs or governors)");
            }
            try {
                ranges.put(action, new Range(Long.parseLong(e.substring(eq + 1, dots).strip()),
                        Long.parseLong(e.substring(dots + 2).strip())));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("'" + e + "' has a bound that is not a whole number");
            }
        }
        return new ApplyBounds(ranges);
    }

    public Optional<Range> of(TuningAction action) {
        return Optional.ofNullable(ranges.get(action));
    }

    @Override
    public String toString() {
        return ranges.toString();
    }
}

package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.TuningAction;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The smallest and largest value the agent lets a command set, per numeric action. The defaults are what an
 * operator can defend on any gateway; {@code TUNNELVISION_AGENT_APPLY_BOUNDS} narrows or widens them per fleet.
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

    private static Map<TuningAction, Range> defaults() {
        Map<TuningAction, Range> d = new EnumMap<>(TuningAction.class);
        // below 100 packets a burst of a busy tunnel tail-drops; above 10000 the queue is bufferbloat
        d.put(TuningAction.TXQUEUELEN, new Range(100, 10_000));
        // 576 is the IPv4 minimum every host must accept; 9000 the usual jumbo frame. sysfs has no min_mtu or
        // max_mtu, so the device's own limits are only learnt from the kernel's EINVAL
        d.put(TuningAction.MTU, new Range(576, 9_000));
        d.put(TuningAction.RPS_FLOW_CNT, new Range(0, 1 << 20));
        d.put(TuningAction.RPS_SOCK_FLOW_ENTRIES, new Range(0, 1 << 20));
        d.put(TuningAction.NETDEV_BUDGET, new Range(100, 3_000));
        d.put(TuningAction.NETDEV_BUDGET_USECS, new Range(1_000, 20_000));
        d.put(TuningAction.NETDEV_MAX_BACKLOG, new Range(1_000, 100_000));
        // 212992 is the kernel's own default, which a rollback must be able to restore
        d.put(TuningAction.RMEM_MAX, new Range(65_536, 256L << 20));
        d.put(TuningAction.WMEM_MAX, new Range(65_536, 256L << 20));
        // 0 off, 1 strict, 2 loose: the kernel stores any integer, so the agent keeps to the meaningful ones
        d.put(TuningAction.RP_FILTER, new Range(0, 2));
        d.put(TuningAction.COALESCE_RX_USECS, new Range(0, 1_000));
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

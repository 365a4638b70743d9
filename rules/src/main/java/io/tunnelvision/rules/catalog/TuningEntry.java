package io.tunnelvision.rules.catalog;

import io.tunnelvision.schemas.avro.TuningAction;
import java.util.List;
import java.util.Optional;

/**
 * Everything the fleet, the agent and the doctor know about one tuning action.
 *
 * @param path    the kernel file relative to {@code /}, with the target's placeholders ({@code {if}},
 *                {@code {queue}}, {@code {irq}}, {@code {cpu}}); empty when the setting has no file (ethtool)
 * @param ladder  the values the planner steps through, lowest first, the last the cap; empty when it does not step
 * @param bounds  the agent's default bounds for a numeric value; empty when values are checked against the host
 */
public record TuningEntry(TuningAction action, Optional<String> path, TargetKind target, ValueKind value,
                          SampleReading reading, List<Long> ladder, Optional<Bounds> bounds) {

    private static final String PROC_SYS = "proc/sys/";

    /** Inclusive. */
    public record Bounds(long min, long max) {
        public Bounds {
            if (min > max) {
                throw new IllegalArgumentException("bounds " + min + ".." + max + " are empty");
            }
        }

        public boolean contains(long value) {
            return value >= min && value <= max;
        }
    }

    public TuningEntry {
        path.ifPresent(p -> {
            if (p.startsWith("/")) {
                throw new IllegalArgumentException(action + ": path " + p + " must be relative to /");
            }
        });
        ladder = List.copyOf(ladder);
    }

    /** The last component of the path: the name of the file the agent writes. */
    public String fileName() {
        String p = path.orElseThrow(() -> new IllegalStateException(action + " has no kernel file"));
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /**
     * The absolute path for one target ({@code /sys/class/net/tun0/tx_queue_len}), as a person types it. Only
     * for showing: the agent resolves and validates targets itself.
     *
     * @throws IllegalArgumentException when a queue target is not {@code <interface>/<queue>}
     */
    public String pathFor(String targetName) {
        String p = path.orElseThrow(() -> new IllegalStateException(action + " has no kernel file"));
        return "/" + fill(p, targetName, false);
    }

    /**
     * The sysctl name for one target ({@code net.core.rmem_max}, {@code net.ipv4.conf.eth0/100.rp_filter}); sysctl
     * names use '/' for a dot inside an interface name. Empty when the setting is not under {@code /proc/sys}.
     */
    public Optional<String> sysctlName(String targetName) {
        return path.filter(p -> p.startsWith(PROC_SYS))
                .map(p -> fill(p.substring(PROC_SYS.length()).replace('/', '.'), targetName, true));
    }

    private String fill(String pattern, String targetName, boolean sysctl) {
        String name = sysctl ? targetName.replace('.', '/') : targetName;
        return switch (target) {
            case HOST -> pattern;
            case INTERFACE, IPV4_CONF -> pattern.replace("{if}", name);
            case IRQ_SET -> pattern.replace("{irq}", name);
            case CPU -> pattern.replace("{cpu}", name);
            case RX_QUEUE -> {
                int slash = targetName.lastIndexOf('/');
                if (slash <= 0) {
                    throw new IllegalArgumentException("'" + targetName + "' is not <interface>/<queue>");
                }
                yield pattern.replace("{if}", targetName.substring(0, slash))
                        .replace("{queue}", targetName.substring(slash + 1));
            }
        };
    }
}

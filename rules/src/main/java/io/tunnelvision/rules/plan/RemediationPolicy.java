package io.tunnelvision.rules.plan;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which tuning actions answer which hotspot type. Written {@code TYPE=ACTION[+ACTION...],...}, e.g.
 * {@code TX_DROPS=TXQUEUELEN,RPS_OFF=RPS_CPUS+RPS_SOCK_FLOW_ENTRIES+RPS_FLOW_CNT}; a type not named gets no
 * command (it is only reported). An override replaces the default entry of the types it names.
 */
public final class RemediationPolicy {

    public static final String DEFAULT = "IRQ_CONCENTRATION=IRQ_AFFINITY,SOFTIRQ_CONCENTRATION=RPS_CPUS,"
            + "SOFTNET_SQUEEZE=NETDEV_BUDGET,BACKLOG_DROPS=NETDEV_MAX_BACKLOG,TX_DROPS=TXQUEUELEN,"
            + "RX_OVERRUNS=NETDEV_BUDGET_USECS,RPS_OFF=RPS_CPUS+RPS_SOCK_FLOW_ENTRIES+RPS_FLOW_CNT,"
            + "MTU_MISMATCH=MTU,UDP_BUFFER_ERRORS=RMEM_MAX,PMTU_BLACKHOLE=MTU,TXQUEUELEN_ZERO=TXQUEUELEN,"
            + "QDISC_BACKLOG=ROOT_QDISC,NIC_RX_DROPS=RX_RING,NIC_SINGLE_CHANNEL=COMBINED_CHANNELS,"
            + "NIC_COALESCING=COALESCE_RX_USECS";

    private final Map<HotspotType, List<TuningAction>> actions;

    private RemediationPolicy(Map<HotspotType, List<TuningAction>> actions) {
        this.actions = actions;
    }

    public static RemediationPolicy defaults() {
        return parse("");
    }

    /** The defaults with the entries of {@code overrides} replacing theirs; {@code TYPE=} (empty) switches one off. */
    public static RemediationPolicy parse(String overrides) {
        Map<HotspotType, List<TuningAction>> map = new EnumMap<>(HotspotType.class);
        apply(map, DEFAULT);
        if (overrides != null && !overrides.isBlank()) {
            apply(map, overrides);
        }
        return new RemediationPolicy(map);
    }

    public List<TuningAction> actionsFor(HotspotType type) {
        return actions.getOrDefault(type, List.of());
    }

    private static void apply(Map<HotspotType, List<TuningAction>> map, String spec) {
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("'" + entry.trim() + "' is not TYPE=ACTION[+ACTION]");
            }
            HotspotType type = parseEnum(HotspotType.class, kv[0]);
            List<TuningAction> list = new ArrayList<>();
            for (String action : kv[1].split("\\+")) {
                if (!action.isBlank()) {
                    list.add(parseEnum(TuningAction.class, action));
                }
            }
            map.put(type, List.copyOf(list));
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String raw) {
        try {
            E value = Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT));
            if (value.name().equals("UNKNOWN")) {
                throw new IllegalArgumentException("UNKNOWN");
            }
            return value;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + raw.trim() + "' is not a " + type.getSimpleName() + " (one of "
                    + java.util.Arrays.toString(type.getEnumConstants()) + ")", e);
        }
    }
}

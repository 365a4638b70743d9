package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.HotspotType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Every check of the doctor, in the order a person reads the manual: adding one is one line here. */
final class Checks {

    static final List<Check> ALL = List.of(
            new IrqDistributionCheck(),
            new SoftirqConcentrationCheck(),
            new SoftirqLoadCheck(),
            new SoftnetSqueezeCheck(),
            new SoftnetBacklogCheck(),
            new TxQueueCheck(),
            new RxOverrunCheck(),
            new RpsCheck(),
            new RfsCheck(),
            new SocketBufferCheck(),
            new TunnelMtuCheck(),
            new FragmentationCheck(),
            new RpFilterCheck(),
            new GovernorCheck(),
            new WireguardCheck(),
            new PmtuCheck(),
            new NicCheck(),
            new QdiscCheck());

    private static final Map<HotspotType, Check> BY_TYPE = new EnumMap<>(HotspotType.class);

    static {
        for (Check check : ALL) {
            for (HotspotType type : check.types()) {
                if (BY_TYPE.put(type, check) != null) {
                    throw new IllegalStateException("Two checks explain " + type);
                }
            }
        }
    }

    private Checks() {
    }

    /**
     * The check that explains {@code type}; a type no check knows yet (a detector added to the rules first) is
     * reported with the rules' own summary rather than dropped.
     */
    static Check of(HotspotType type) {
        return BY_TYPE.getOrDefault(type, new SummaryCheck(type));
    }

    static List<String> names() {
        List<String> names = new ArrayList<>();
        ALL.forEach(c -> names.add(c.name()));
        return names;
    }
}

package io.tunnelvision.rules.detect;

import io.tunnelvision.rules.cpu.CpuMask;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.RxQueue;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** What the detectors need to know about interfaces: which are tunnels, their queues' RPS state. */
public final class Tunnels {

    private static final Set<InterfaceKind> TUNNEL_KINDS =
            Set.of(InterfaceKind.TUN, InterfaceKind.TAP, InterfaceKind.WIREGUARD, InterfaceKind.VXLAN, InterfaceKind.GRE);

    private Tunnels() {
    }

    public static boolean isTunnel(InterfaceConfig config) {
        return TUNNEL_KINDS.contains(config.getKind()) && !"down".equalsIgnoreCase(config.getOperState());
    }

    public static List<InterfaceConfig> tunnels(InterfaceConfigSample sample) {
        return sample == null ? List.of() : sample.getInterfaces().stream().filter(Tunnels::isTunnel).toList();
    }

    public static Optional<InterfaceConfig> find(InterfaceConfigSample sample, String name) {
        if (sample == null) {
            return Optional.empty();
        }
        return sample.getInterfaces().stream().filter(i -> i.getName().equals(name)).findFirst();
    }

    /**
     * The names of the tunnels and of the interfaces carrying them (each tunnel's {@code underlay}, when the agent
     * found it): the egress queues a tunnel's packets wait in.
     */
    public static Set<String> tunnelsAndUnderlays(InterfaceConfigSample sample) {
        Set<String> names = new TreeSet<>();
        for (InterfaceConfig tunnel : tunnels(sample)) {
            names.add(tunnel.getName());
            if (tunnel.getUnderlay() != null) {
                names.add(tunnel.getUnderlay());
            }
        }
        return names;
    }

    /** RPS is off when the interface reports queues and none has a CPU in its mask. */
    public static boolean rpsOff(InterfaceConfig config) {
        List<RxQueue> queues = config.getRxQueues();
        return !queues.isEmpty() && queues.stream().allMatch(q -> isEmptyMask(q.getRpsCpus()));
    }

    /** A queue without an rps_cpus file has no RPS; a mask that is not one is refused by {@link CpuMask}. */
    static boolean isEmptyMask(String mask) {
        return mask == null || CpuMask.parse(mask).isEmpty();
    }
}

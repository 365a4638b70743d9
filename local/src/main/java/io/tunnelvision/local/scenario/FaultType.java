package io.tunnelvision.local.scenario;

import io.tunnelvision.local.sim.Fault;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The faults a scenario file can name, with their parameters and defaults. */
enum FaultType {
    IRQ_STORM("irq-storm", List.of("cpu", "factor"),
            p -> new Fault.SingleCoreIrqStorm((int) p.or("cpu", 0), p.or("factor", 4))),
    SOFTNET_SQUEEZE("softnet-squeeze", List.of("burst"), p -> new Fault.SoftnetSqueeze(p.or("burst", 22))),
    BACKLOG_DROPS("backlog-drops", List.of("burst"), p -> new Fault.BacklogDrops(p.or("burst", 75))),
    TX_DROPS("tx-drops", List.of("burst"), p -> new Fault.TxDrops(p.or("burst", 20))),
    RPS_OFF("rps-off", List.of(), p -> new Fault.RpsOff()),
    MTU_MISMATCH("mtu-mismatch", List.of(), p -> new Fault.MtuMismatch()),
    UDP_BUFFER_ERRORS("udp-buffer-errors", List.of("pressure"), p -> new Fault.BufferErrors(p.or("pressure", 8))),
    HEAVY_LOAD("heavy-load", List.of("factor"), p -> new Fault.HeavyLoad(p.or("factor", 8))),
    HEALTHY_NOISY("healthy-noisy", List.of("squeezesPerHour"),
            p -> new Fault.HealthyButNoisy(p.or("squeezesPerHour", 5))),
    TXQUEUELEN_BACKFIRE("txqueuelen-backfire", List.of("dropShare"),
            p -> new Fault.TxQueueBackfire(p.or("dropShare", 0.002))),
    WIREGUARD_PEER_DOWN("wireguard-peer-down", List.of("peer"),
            p -> new Fault.WireguardPeerDown((int) p.or("peer", 1))),
    PMTU_BLACKHOLE("pmtu-blackhole", List.of("passBytes"),
            p -> new Fault.PmtuBlackhole((int) p.or("passBytes", 1328))),
    TXQUEUELEN_ZERO("txqueuelen-zero", List.of(), p -> new Fault.TxQueueLenZero()),
    NIC_RX_RING_SMALL("nic-rx-ring-small", List.of("ring", "burstPackets"),
            p -> new Fault.NicRxRingSmall((int) p.or("ring", 256), p.or("burstPackets", 400)));

    /** The parameters given in the file; null for one left out. */
    interface Parameters {
        Double get(String name);

        default double or(String name, double fallback) {
            Double value = get(name);
            return value == null ? fallback : value;
        }
    }

    private final String fileName;
    private final List<String> parameters;
    private final Function<Parameters, Fault> factory;

    FaultType(String fileName, List<String> parameters, Function<Parameters, Fault> factory) {
        this.fileName = fileName;
        this.parameters = parameters;
        this.factory = factory;
    }

    String fileName() {
        return fileName;
    }

    List<String> parameters() {
        return parameters;
    }

    Fault build(Parameters given) {
        return factory.apply(given);
    }

    static FaultType byName(String name) {
        for (FaultType t : values()) {
            if (t.fileName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    static String names() {
        return Arrays.stream(values()).map(FaultType::fileName).collect(Collectors.joining(", "));
    }
}

package io.tunnelvision.schemas;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicQueue;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.TxQueue;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated record of every type, values shaped like a real 4-CPU gateway. */
public final class ExampleRecords {

    public static final long T0 = 1_790_000_000_000L;

    private ExampleRecords() {
    }

    public static SampleHeader header(String host, long sequence) {
        return new SampleHeader(host, "5f1c1f0e-7a2b-4b9e-9d51-0c1e2a3b4c5d", sequence, T0 + sequence * 1000, "0.1.0");
    }

    public static List<SpecificRecord> all(String host) {
        return List.of(interrupts(host), softnet(host), link(host), interfaceConfig(host), kernel(host),
                latency(host), wireguard(host), pmtu(host), qdisc(host), nic(host), hotspot(host), command(host), result(host), decision(host), outcome(host),
                interruptRates(host), softnetRates(host), linkRates(host), kernelRates(host));
    }

    public static InterruptSample interrupts(String host) {
        return new InterruptSample(header(host, 1), List.of(0, 1, 2, 3),
                List.of(new IrqLine("45", "IR-PCI-MSI", "524288", "edge", List.of("eth0-TxRx-0"),
                                List.of(4_294_967_000L, 12L, 0L, 3L), "0-3", "1", "0000:3b:00.0", "eth0", 0, "0-3"),
                        new IrqLine("46", "PCI-MSI", "524289-edge", null, List.of("virtio0-input.0", "virtio0-output.0"),
                                List.of(1L, 2L, 3L, 4L), null, null, null, null, null, null)),
                List.of(100L, 200L, 300L, 400L),
                List.of(9_000L, 10L, 11L, 12L),
                List.of(500L, 5L, 6L, 7L),
                List.of(3_000L, 20L, 21L, 22L),
                List.of(100_000L, 100_000L, 100_000L, 100_000L));
    }

    public static SoftnetSample softnet(String host) {
        return new SoftnetSample(header(host, 2), List.of(
                new SoftnetCpu(0, 0, 123_456L, 7L, 42L, 0L, 0L, 0L),
                new SoftnetCpu(1, null, 99L, 0L, 0L, null, null, null)));
    }

    public static LinkSample link(String host) {
        return new LinkSample(header(host, 3), List.of(
                new LinkCounters("tun0", 1_000_000L, 900L, 0L, 3L, 0L, 1L, 0L, 2_000_000L, 1_800L, 0L, 17L, 0L, 0L)));
    }

    public static InterfaceConfigSample interfaceConfig(String host) {
        return new InterfaceConfigSample(header(host, 4), List.of(
                new InterfaceConfig("vxlan0", 7, InterfaceKind.VXLAN, 1500, 1000, "up",
                        List.of(new RxQueue("rx-0", "00000000,0000000f", 0)), "eth0"),
                new InterfaceConfig("eth0", 2, InterfaceKind.PHYSICAL, 1500, 1000, "up",
                        List.of(new RxQueue("rx-0", "0", null)), null)));
    }

    public static KernelSettingsSample kernel(String host) {
        return new KernelSettingsSample(header(host, 5), 212_992L, 212_992L, 300L, 2_000L, 1_000L, 0L,
                Map.of("all", 1, "default", 1, "tun0", 2), Map.of("0", "performance", "1", "powersave"),
                12L, 0L, 12L, 1_500L, 750L, 0L, 1_400L, 700L, 0L);
    }

    public static LatencySample latency(String host) {
        return new LatencySample(header(host, 6), 1_000L, List.of(new PeerLatency("gw-2", "vxlan0", List.of(
                new ProbeStats(ProbePath.OVERLAY, "10.99.0.2:7447", 64, 5, 5, 180L, 210L, 260L, 20L, 0.0),
                new ProbeStats(ProbePath.OVERLAY, "10.99.0.2:7447", 1400, 5, 1, 900L, 900L, 900L, null, 0.8),
                new ProbeStats(ProbePath.UNDERLAY, "192.0.2.2:7447", 64, 5, 0, null, null, null, null, 1.0)))));
    }

    /** One interface, a live peer and one that never completed a handshake. */
    public static WireguardSample wireguard(String host) {
        return new WireguardSample(header(host, 7), List.of(new WireguardInterface("wg0",
                "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", 51820, List.of(
                        new WireguardPeer("TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=", "192.0.2.2:51820", 2,
                                T0 - 35_000L, 1_234_567L, 7_654_321L, 25),
                        new WireguardPeer("gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=", null, 1, null, 0L, 148L,
                                null)))));
    }

    /** One peer whose path passes 1380-byte packets but not 1420 (the tunnel's MTU), with no ICMP back. */
    public static PmtuSample pmtu(String host) {
        return new PmtuSample(header(host, 8), List.of(new PmtuPath("gw-2", "wg0", "10.99.0.2:7447", 1420,
                List.of(new PmtuStep(1280, 2, 2), new PmtuStep(1380, 2, 2), new PmtuStep(1400, 2, 0),
                        new PmtuStep(1420, 2, 0)),
                1380, 1400, null)));
    }

    /** An mq root with two fq_codel children, one dropping with a standing backlog, and BQL on both queues. */
    public static QdiscSample qdisc(String host) {
        return new QdiscSample(header(host, 9), List.of(
                new Qdisc("eth0", "mq", "0:", null, 9_000_000L, 7_000L, 40L, 0L, 3L, 3_000L, 2L),
                new Qdisc("eth0", "fq_codel", "0:", ":1", 6_000_000L, 5_000L, 40L, 0L, 2L, 3_000L, 2L),
                new Qdisc("eth0", "fq_codel", "0:", ":2", 3_000_000L, 2_000L, 0L, 0L, 1L, 0L, 0L),
                new Qdisc("wg0", "noqueue", "0:", null, 0L, 0L, 0L, 0L, 0L, 0L, 0L)),
                List.of(new TxQueue("eth0", 0, 30_280L, 1_514L, 1_879_048_192L),
                        new TxQueue("eth0", 1, null, null, null)));
    }

    /** An ice NIC with rings below their maximum, one channel of 8, and missed packets on queue 0. */
    public static NicSample nic(String host) {
        return new NicSample(header(host, 10), List.of(new Nic("eth0", "ice", 512, 8160, 512, 8160, 1, 8, null, null,
                50, 0, 50, true, Map.of("rx-udp-gro-forwarding", false, "generic-receive-offload", true),
                Map.of("rx_missed", 1_234L, "rx_dropped", 7L),
                List.of(new NicQueue(0, 9_000_000L, 1_234L, 8_000_000L, 0L), new NicQueue(1, 0L, 0L, 0L, null)))));
    }

    public static Hotspot hotspot(String host) {
        return new Hotspot("hs-" + host + "-1", HotspotScope.HOST, host, HotspotType.SOFTNET_SQUEEZE,
                Severity.CRITICAL, HotspotState.OPEN, "cpu0", "cpu0 squeezed 120 times/s",
                Map.of("timeSqueezePerSec", 120.0), List.of(), T0, T0 + 10_000, T0 + 10_000, T0 + 10_000, null);
    }

    public static TuningCommand command(String host) {
        return new TuningCommand("cmd-" + host + "-1", 1L, host, T0, T0 + 60_000, TuningAction.NETDEV_BUDGET,
                "host", "600", "300", "hs-" + host + "-1", "softnet squeeze on cpu0", false, null, "planner-1",
                ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
    }

    public static CommandResult result(String host) {
        return new CommandResult("cmd-" + host + "-1", host, CommandStatus.APPLIED, null, "300", "600",
                T0 + 2_000, "0.1.0");
    }

    public static RateHeader rateHeader(String host) {
        return new RateHeader(host, "5f1c1f0e-7a2b-4b9e-9d51-0c1e2a3b4c5d", T0, T0 + 1_000, 1L, 2L);
    }

    public static CommandDecision decision(String host) {
        return new CommandDecision("cmd-" + host + "-1", host, Decision.APPROVE, "alice", "looks right", T0 + 500, null,
                "0123456789abcdef", ByteBuffer.wrap(new byte[64]));
    }

    public static CommandOutcome outcome(String host) {
        return new CommandOutcome("cmd-" + host + "-1", host, "hs-" + host + "-1", Verdict.VERIFIED,
                "timeSqueezePerSec", 120.0, 0.5, null, T0 + 30_000);
    }

    public static InterruptRates interruptRates(String host) {
        return new InterruptRates(rateHeader(host), List.of(0, 1),
                List.of(new IrqLineRate("45", List.of("eth0-TxRx-0"), List.of(9_500.0, 3.0))),
                List.of(10.0, 12.0), List.of(9_000.0, 4.0), List.of(1.0, 2.0), List.of(0.61, 0.01));
    }

    public static SoftnetRates softnetRates(String host) {
        return new SoftnetRates(rateHeader(host), List.of(
                new SoftnetCpuRate(0, 9_000.0, 2.0, 120.0, 0.0, 0.0, 3L),
                new SoftnetCpuRate(1, 4.0, 0.0, 0.0, null, null, null)));
    }

    public static LinkRates linkRates(String host) {
        return new LinkRates(rateHeader(host), List.of(new LinkRate("tun0", 1.0e6, 900.0, 0.0, 0.0, 0.0, 1.0, 0.0,
                2.0e6, 1_800.0, 0.0, 17.0, 0.0, 0.0)));
    }

    public static KernelRates kernelRates(String host) {
        return new KernelRates(rateHeader(host), 12.0, 0.0, 12.0, 150.0, 0.0, 140.0, null);
    }
}

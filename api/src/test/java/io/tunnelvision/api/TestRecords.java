package io.tunnelvision.api;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRate;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.RxQueue;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Records as the agents and the streams app publish them, with values derived from the arguments. */
public final class TestRecords {

    private TestRecords() {
    }

    public static RateHeader rateHeader(String host, Instant to, long sequence) {
        return RateHeader.newBuilder().setHostId(host).setBootId("boot-1").setFromMs(to.toEpochMilli() - 1000)
                .setToMs(to.toEpochMilli()).setFromSequence(sequence - 1).setToSequence(sequence).build();
    }

    public static SampleHeader sampleHeader(String host, Instant at, long sequence) {
        return SampleHeader.newBuilder().setHostId(host).setBootId("boot-1").setSequence(sequence)
                .setSampleTimeMs(at.toEpochMilli()).setAgentVersion("0.1.0").build();
    }

    /** A WireGuard peer; {@code handshake} null for none yet. */
    public static WireguardPeer wgPeer(String key, String endpoint, Instant handshake, long rx, long tx) {
        return WireguardPeer.newBuilder().setPublicKey(key).setEndpoint(endpoint).setAllowedIps(2)
                .setLatestHandshakeMs(handshake == null ? null : handshake.toEpochMilli()).setRxBytes(rx).setTxBytes(tx)
                .setPersistentKeepaliveS(25).build();
    }

    public static WireguardInterface wgInterface(String name, WireguardPeer... peers) {
        return WireguardInterface.newBuilder().setName(name).setPublicKey("iface-key-" + name + "=")
                .setListenPort(51820).setPeers(List.of(peers)).build();
    }

    public static WireguardSample wireguard(String host, Instant at, long sequence, WireguardInterface... interfaces) {
        return WireguardSample.newBuilder().setHeader(sampleHeader(host, at, sequence))
                .setInterfaces(List.of(interfaces)).build();
    }

    /** Per interface: rx_packets = base + index, tx = twice that. */
    public static LinkRates link(String host, Instant to, long sequence, double base, String... ifaces) {
        List<LinkRate> rates = new ArrayList<>();
        for (int i = 0; i < ifaces.length; i++) {
            double v = base + i;
            rates.add(LinkRate.newBuilder().setName(ifaces[i]).setRxBytesPerSec(v * 1000).setRxPacketsPerSec(v)
                    .setRxErrorsPerSec(0).setRxDroppedPerSec(v / 100).setRxFifoErrorsPerSec(0)
                    .setRxOverErrorsPerSec(0).setRxFrameErrorsPerSec(0).setTxBytesPerSec(v * 2000)
                    .setTxPacketsPerSec(2 * v).setTxErrorsPerSec(0).setTxDroppedPerSec(0).setTxFifoErrorsPerSec(0)
                    .setTxCarrierErrorsPerSec(0).build());
        }
        return LinkRates.newBuilder().setHeader(rateHeader(host, to, sequence)).setInterfaces(rates).build();
    }

    /** CPU c processes base * (c + 1) packets per second; CPU 1 squeezes. */
    public static SoftnetRates softnet(String host, Instant to, long sequence, int cpus, double base) {
        List<SoftnetCpuRate> rates = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            rates.add(SoftnetCpuRate.newBuilder().setCpu(c).setProcessedPerSec(base * (c + 1)).setDroppedPerSec(0)
                    .setTimeSqueezePerSec(c == 1 ? 3 : 0).setReceivedRpsPerSec(null).setFlowLimitPerSec(null)
                    .setBacklogLen((long) c).build());
        }
        return SoftnetRates.newBuilder().setHeader(rateHeader(host, to, sequence)).setCpus(rates).build();
    }

    public static InterruptRates interrupts(String host, Instant to, long sequence, int cpus, double base) {
        List<Integer> ids = IntStream.range(0, cpus).boxed().toList();
        List<Double> perCpu = ids.stream().map(c -> base * (c + 1)).toList();
        List<Double> share = ids.stream().map(c -> c == 0 ? 0.9 : 0.1).toList();
        List<Double> line = ids.stream().map(c -> c == 0 ? base * 10 : 0.0).toList();
        return InterruptRates.newBuilder().setHeader(rateHeader(host, to, sequence)).setCpus(ids)
                .setLines(List.of(IrqLineRate.newBuilder().setIrq("45").setDevices(List.of("eth0-rx-0"))
                        .setPerSecond(line).build()))
                .setOtherPerSecond(perCpu).setNetRxPerSecond(perCpu).setNetTxPerSecond(perCpu)
                .setSoftirqShare(share).build();
    }

    public static KernelRates kernel(String host, Instant to, long sequence, double rcvbufErrors) {
        return KernelRates.newBuilder().setHeader(rateHeader(host, to, sequence))
                .setUdpRcvbufErrorsPerSec(rcvbufErrors).setUdpSndbufErrorsPerSec(0.0).setUdpInErrorsPerSec(null)
                .build();
    }

    public static InterfaceConfigSample interfaceConfig(String host, Instant at, long sequence, int mtu) {
        return InterfaceConfigSample.newBuilder().setHeader(sampleHeader(host, at, sequence))
                .setInterfaces(List.of(InterfaceConfig.newBuilder().setName("tun0").setIfindex(7)
                        .setKind(InterfaceKind.TUN).setMtu(mtu).setTxQueueLen(500).setOperState("up")
                        .setRxQueues(List.of(RxQueue.newBuilder().setQueue("rx-0").setRpsCpus("0000000f")
                                .setRpsFlowCnt(4096).build()))
                        .setUnderlay("eth0").build()))
                .build();
    }

    public static KernelSettingsSample kernelSettings(String host, Instant at, long sequence, long rmemMax) {
        return KernelSettingsSample.newBuilder().setHeader(sampleHeader(host, at, sequence)).setRmemMax(rmemMax)
                .setWmemMax(212992L).setNetdevBudget(300L).setNetdevMaxBacklog(1000L)
                .setRpFilter(Map.of("all", 0, "eth0", 1)).setCpuGovernors(Map.of("0", "performance")).build();
    }

    public static LatencySample latency(String host, Instant at, long sequence, String peer, long overlayUs,
                                        long underlayUs) {
        return LatencySample.newBuilder().setHeader(sampleHeader(host, at, sequence)).setIntervalMs(10_000)
                .setPeers(List.of(PeerLatency.newBuilder().setPeer(peer).setTunnelInterface("wg0").setProbes(List.of(
                        probe(ProbePath.OVERLAY, "10.0.0.2:7", overlayUs),
                        probe(ProbePath.UNDERLAY, "192.0.2.2:7", underlayUs))).build()))
                .build();
    }

    private static ProbeStats probe(ProbePath path, String address, long rttUs) {
        return ProbeStats.newBuilder().setPath(path).setAddress(address).setSizeBytes(64).setSent(10).setReceived(10)
                .setRttMinUs(rttUs - 50).setRttAvgUs(rttUs).setRttMaxUs(rttUs + 100).setJitterUs(20L).setLossRatio(0)
                .build();
    }

    public static Hotspot hotspot(String id, String host, HotspotType type, HotspotState state, Instant opened,
                                  Instant updated) {
        return Hotspot.newBuilder().setHotspotId(id).setScope(HotspotScope.HOST).setHostId(host).setType(type)
                .setSeverity(Severity.WARNING).setState(state).setTarget("cpu0")
                .setSummary("CPU 0 takes most NET_RX work").setEvidence(Map.of("topCpuShare", 0.9))
                .setHosts(List.of()).setWindowStartMs(opened.toEpochMilli() - 60_000)
                .setWindowEndMs(updated.toEpochMilli()).setOpenedAtMs(opened.toEpochMilli())
                .setUpdatedAtMs(updated.toEpochMilli())
                .setClosedAtMs(state == HotspotState.CLOSED ? updated.toEpochMilli() : null).build();
    }

    public static Hotspot fleetHotspot(String id, List<String> hosts, Instant opened) {
        return Hotspot.newBuilder().setHotspotId(id).setScope(HotspotScope.FLEET).setHostId(null)
                .setType(HotspotType.FLEET_OUTLIER).setSeverity(Severity.INFO).setState(HotspotState.OPEN)
                .setSummary("These gateways squeeze far more than the rest").setEvidence(Map.of())
                .setHosts(hosts).setWindowStartMs(opened.toEpochMilli()).setWindowEndMs(opened.toEpochMilli())
                .setOpenedAtMs(opened.toEpochMilli()).setUpdatedAtMs(opened.toEpochMilli()).build();
    }

    public static TuningCommand command(String id, String host, Instant issued) {
        return TuningCommand.newBuilder().setCommandId(id).setSequence(1).setHostId(host)
                .setIssuedAtMs(issued.toEpochMilli()).setExpiresAtMs(issued.toEpochMilli() + 600_000)
                .setAction(TuningAction.TXQUEUELEN).setTarget("tun0").setNewValue("1000").setExpectedValue("500")
                .setHotspotId("hs-1").setReason("tx drops on tun0").setDryRun(false).setKeyId("planner-1")
                .setSignature(ByteBuffer.wrap(new byte[64])).build();
    }

    public static CommandResult result(String id, String host, CommandStatus status, Instant at) {
        return CommandResult.newBuilder().setCommandId(id).setHostId(host).setStatus(status).setValueBefore("500")
                .setValueAfter("1000").setTimeMs(at.toEpochMilli()).setAgentVersion("0.1.0").build();
    }

    public static CommandOutcome outcome(String id, String host, Verdict verdict, Instant at) {
        return CommandOutcome.newBuilder().setCommandId(id).setHostId(host).setHotspotId("hs-1").setOutcome(verdict)
                .setMetric("txDroppedPerSec").setBefore(12.5).setAfter(0.5).setTimeMs(at.toEpochMilli()).build();
    }

    public static CommandDecision decision(String id, String host, Decision decision, Instant at) {
        return CommandDecision.newBuilder().setCommandId(id).setHostId(host).setDecision(decision).setOperator("alice")
                .setTimeMs(at.toEpochMilli()).build();
    }
}

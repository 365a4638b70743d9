package io.tunnelvision.local.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.CollectorStats;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.Hardware;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.local.sim.TunnelKind;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.rules.rates.QdiscRateCalculator;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's gateways run the agent's own qdisc collector over what the model's {@code tc -s -j qdisc show}
 * prints, and the rules judge it as the fleet does: a WireGuard tunnel left at txqueuelen 0 under a pfifo_fast root
 * is TXQUEUELEN_ZERO, drops in its qdisc (not in the device's tx_dropped) until txqueuelen is 1000 again.
 */
class FleetGatewayQdiscTest {

    private static final Instant NOW = Instant.parse("2026-12-06T03:00:00Z");
    private static final HostDetectors DETECTORS = new HostDetectors(DetectionThresholds.defaults());

    @TempDir
    Path dir;

    private long sequence;

    private SimulatedHost host(TunnelKind kind, int rxQueues) {
        return new SimulatedHost(new SimulatedGateway("gw-1", Hardware.of(4, rxQueues), kind, 7, 0),
                dir.resolve(kind.name() + rxQueues));
    }

    private CollectorRegistry registry(SimulatedHost host) {
        return FleetGateway.collectors(host.tree().procRoot(), host.tree().sysRoot(), host.gateway(),
                Clock.fixed(NOW, ZoneOffset.UTC), FleetGateway.pmtuSchedule(), SettingsRefresh.everyRound());
    }

    private <T extends SpecificRecord> T collect(CollectorRegistry registry, Class<T> type)
            throws Exception {
        SampleHeader header = new SampleHeader("gw-1", "boot", sequence, NOW.toEpochMilli() + 1000 * sequence,
                "test");
        sequence++;
        T sample = registry.find(type).orElseThrow().collect(header);
        for (CollectorStats stats : registry.stats()) {
            assertEquals(0, stats.malformedLines(), stats.name());
            assertEquals(0, stats.unavailableRounds(), stats.name());
        }
        return sample;
    }

    private static Qdisc root(QdiscSample sample, String dev) {
        return sample.getQdiscs().stream().filter(q -> q.getInterface$().equals(dev) && q.getParent() == null)
                .findFirst().orElseThrow(() -> new AssertionError("no root qdisc on " + dev + ": " + sample));
    }

    @Test
    void everyDeviceShowsTheRootTheKernelGivesIt() throws Exception {
        SimulatedHost wg = host(TunnelKind.WIREGUARD, 4);
        wg.advance(Duration.ofSeconds(5), TrafficLoad.typical());
        QdiscSample sample = collect(registry(wg), QdiscSample.class);
        assertEquals("noqueue", root(sample, "lo").getKind());
        assertEquals("noqueue", root(sample, "wg0").getKind(), "kernel WireGuard has IFF_NO_QUEUE");
        assertEquals(0, root(sample, "wg0").getPackets(), "noqueue counts nothing");
        Qdisc mq = root(sample, "eth0");
        assertEquals("mq", mq.getKind());
        List<Qdisc> children = sample.getQdiscs().stream()
                .filter(q -> q.getInterface$().equals("eth0") && q.getParent() != null).toList();
        assertEquals(List.of(":1", ":2", ":3", ":4"), children.stream().map(Qdisc::getParent).toList());
        assertTrue(children.stream().allMatch(q -> q.getKind().equals("pfifo_fast") && q.getPackets() > 0));
        assertEquals(mq.getPackets(), children.stream().mapToLong(Qdisc::getPackets).sum(),
                "mq's counters are its children's sum");
        assertEquals(wg.gateway().underlay().txPackets(), mq.getPackets(), "what eth0 sent");

        SimulatedHost tun = host(TunnelKind.TUN, 2);
        tun.advance(Duration.ofSeconds(5), TrafficLoad.typical());
        Qdisc tunRoot = root(collect(registry(tun), QdiscSample.class), "tun0");
        assertEquals("pfifo_fast", tunRoot.getKind());
        assertEquals("0:", tunRoot.getHandle(), "the default qdisc the kernel attached");
        assertEquals(tun.gateway().tunnel().txPackets(), tunRoot.getPackets(), 1);
    }

    @Test
    void aWireGuardTunnelAtTxqueuelenZeroDropsInItsQdiscUntilTheRemedySetsItTo1000() throws Exception {
        SimulatedHost host = host(TunnelKind.WIREGUARD, 4);
        CollectorRegistry registry = registry(host);
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        host.inject(new Fault.TxQueueLenZero());

        List<Finding> findings = interval(host, registry);
        Finding zero = find(findings, HotspotType.TXQUEUELEN_ZERO, "wg0");
        assertTrue(zero.bad(), zero.toString());
        assertTrue(find(findings, HotspotType.QDISC_DROPS, "wg0").bad(), "the FIFO of nothing drops: " + findings);
        assertEquals(0, host.gateway().tunnel().txDropped(), "the qdisc drops, not the device: no TX_DROPS");

        // what the agent's executor writes for TXQUEUELEN 0 -> 1000; the next step takes it in
        Files.writeString(host.tree().sysRoot().resolve("class/net/wg0/tx_queue_len"), "1000\n");
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        findings = interval(host, registry);
        assertTrue(!find(findings, HotspotType.TXQUEUELEN_ZERO, "wg0").bad(), findings.toString());
        Finding drops = find(findings, HotspotType.QDISC_DROPS, "wg0");
        assertTrue(!drops.bad() && drops.metric() == 0, "a queue of 1000 holds the bursts: " + drops);
    }

    @Test
    void aTunAtTxqueuelenZeroDropsEveryPacketItIsGiven() throws Exception {
        SimulatedHost host = host(TunnelKind.TUN, 2);
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        long sentBefore = host.gateway().tunnel().txPackets();
        host.inject(new Fault.TxQueueLenZero());
        host.advance(Duration.ofSeconds(2), TrafficLoad.typical());
        assertEquals(sentBefore, host.gateway().tunnel().txPackets(), "nothing reaches the reader");
        assertTrue(host.gateway().tunnel().txDropped() > 10_000, "2 s of 8000 packets/s dropped");
        assertEquals("pfifo_fast", host.gateway().tunnelRoot().kind());
        List<Finding> findings = interval(host, registry(host));
        assertTrue(find(findings, HotspotType.TXQUEUELEN_ZERO, "tun0").bad(), findings.toString());
    }

    @Test
    void onlyTheTunnelsTcOutputIsAnswered() {
        SimulatedGateway model = new SimulatedGateway("gw-1", 4, TunnelKind.VXLAN, 7);
        assertNull(model.qdiscCommand(List.of("tc", "qdisc", "show")));
        assertTrue(model.qdiscCommand(List.of("tc", "-s", "-j", "qdisc", "show")).contains("\"dev\":\"vxlan0\""));
    }

    /** Two qdisc samples a second apart, judged with the interface configuration as the fleet judges them. */
    private List<Finding> interval(SimulatedHost host, CollectorRegistry registry) throws Exception {
        QdiscSample first = collect(registry, QdiscSample.class);
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        QdiscSample second = collect(registry, QdiscSample.class);
        InterfaceConfigSample config = collect(registry, InterfaceConfigSample.class);
        collect(registry, LinkSample.class);
        return DETECTORS.onQdisc(new QdiscRateCalculator().between(first, second), config);
    }

    private static Finding find(List<Finding> findings, HotspotType type, String target) {
        return findings.stream().filter(f -> f.type() == type && f.target().equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " finding of " + target + " in " + findings));
    }
}

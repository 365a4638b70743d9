package io.tunnelvision.local.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.ToolRunner;
import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.CollectorStats;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.Hardware;
import io.tunnelvision.local.sim.NicDriver;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.local.sim.TunnelKind;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.rules.rates.InterruptRateCalculator;
import io.tunnelvision.rules.rates.NicRateCalculator;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
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
 * The fleet's gateways run the agent's own NIC collector over what the model's ethtool prints for eth0, and the
 * executor's ethtool is the model's too: a ring well below its maximum that drops bursts is NIC_RX_DROPS, judged by
 * the rules as the fleet judges it, and {@code ethtool -G eth0 rx 512} (what RX_RING runs) stops the drops.
 */
class FleetGatewayNicTest {

    private static final Instant NOW = Instant.parse("2026-12-06T03:00:00Z");
    private static final HostDetectors DETECTORS = new HostDetectors(DetectionThresholds.defaults());

    @TempDir
    Path dir;

    private long sequence;
    /** Model seconds since NOW: the samples' time. */
    private long seconds;

    private SimulatedHost host(NicDriver nic, int cpus, int rxQueues) {
        return new SimulatedHost(new SimulatedGateway("gw-1", new Hardware(cpus, rxQueues, nic, 1),
                TunnelKind.VXLAN, 7, 0), dir.resolve(nic.fileName() + "-" + rxQueues));
    }

    private static CollectorRegistry registry(SimulatedHost host) {
        return FleetGateway.collectors(host.tree().procRoot(), host.tree().sysRoot(), host.gateway(),
                Clock.fixed(NOW, ZoneOffset.UTC), FleetGateway.pmtuSchedule(), SettingsRefresh.everyRound());
    }

    private <T extends SpecificRecord> T collect(CollectorRegistry registry, Class<T> type) throws Exception {
        SampleHeader header = new SampleHeader("gw-1", "boot", sequence, NOW.toEpochMilli() + 1000 * seconds, "test");
        sequence++;
        T sample = registry.find(type).orElseThrow().collect(header);
        for (CollectorStats stats : registry.stats()) {
            assertEquals(0, stats.malformedLines(), stats.name());
            assertEquals(0, stats.unavailableRounds(), stats.name());
        }
        return sample;
    }

    /** Two NIC and interrupt samples a second apart, judged as the fleet judges them. */
    private List<Finding> interval(SimulatedHost host, CollectorRegistry registry) throws Exception {
        NicSample first = collect(registry, NicSample.class);
        InterruptSample irqFirst = collect(registry, InterruptSample.class);
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        seconds++;
        NicSample second = collect(registry, NicSample.class);
        InterruptSample irqSecond = collect(registry, InterruptSample.class);
        return DETECTORS.onNic(new NicRateCalculator().between(first, second), second,
                new InterruptRateCalculator().between(irqFirst, irqSecond), irqSecond);
    }

    @Test
    void everyDriversEthtoolOutputParsesAndAHealthyNicHasNoFinding() throws Exception {
        for (NicDriver driver : NicDriver.values()) {
            SimulatedHost host = host(driver, 8, 4);
            CollectorRegistry registry = registry(host);
            host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
            List<Finding> findings = interval(host, registry);
            assertTrue(findings.stream().noneMatch(Finding::bad), driver + ": " + findings);

            Nic nic = collect(registry, NicSample.class).getNics().get(0);
            assertEquals("eth0", nic.getInterface$());
            assertEquals(driver.driver(), nic.getDriver());
            assertNotNull(nic.getRxRing(), driver + " rings: " + nic);
            assertTrue(nic.getRxRing() <= nic.getRxRingMax(), nic.toString());
            Integer channels = nic.getCombinedChannels() != null ? nic.getCombinedChannels() : nic.getRxChannels();
            assertEquals(4, channels, driver + " channels: " + nic);
            assertEquals(4, nic.getQueues().size(), driver + " queues: " + nic.getQueues());
            assertTrue(nic.getQueues().stream().allMatch(q -> q.getRxPackets() > 0 && q.getTxPackets() > 0),
                    driver + " queues: " + nic.getQueues());
            assertTrue(nic.getFeatures().containsKey("rx-udp-gro-forwarding"), nic.getFeatures().toString());
        }
    }

    @Test
    void aSingleQueueNicOnAManyCpuHostCannotRunMoreChannels() throws Exception {
        SimulatedHost host = host(NicDriver.IXGBE, 8, 1);
        CollectorRegistry registry = registry(host);
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        List<Finding> findings = interval(host, registry);
        Finding single = findings.stream().filter(f -> f.type() == HotspotType.NIC_SINGLE_CHANNEL).findFirst()
                .orElseThrow(() -> new AssertionError(findings.toString()));
        assertFalse(single.bad(), "its maximum is its one queue: " + single);
    }

    @Test
    void aSmallRingDropsBurstsUntilTheExecutorsEthtoolDoublesIt() throws Exception {
        SimulatedHost host = host(NicDriver.IXGBE, 4, 4);
        CollectorRegistry registry = registry(host);
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        host.inject(new Fault.NicRxRingSmall(256, 400));
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());

        List<Finding> findings = interval(host, registry);
        Finding drops = find(findings, HotspotType.NIC_RX_DROPS);
        assertTrue(drops.bad(), findings.toString());
        // 5 % of the packets arriving, less the share the ring holds (the load's 5 % jitter aside)
        double expected = 0.05 * TrafficLoad.typical().rxPacketsPerSecond() * (1 - 256 / 400.0);
        assertEquals(expected, drops.metric(), 0.06 * expected, drops.toString());
        assertEquals(256.0, drops.evidence().get("rxRing"));
        assertEquals(4096.0, drops.evidence().get("rxRingMax"));
        assertEquals(512.0, drops.evidence().get("recommendedRxRing"));

        ToolRunner ethtool = FleetGateway.tools(host.gateway());
        assertTrue(ethtool.run(ToolRunner.Tool.ETHTOOL, List.of("-g", "eth0")).out()
                .contains("Current hardware settings:\nRX:\t\t\t256\n"));
        ToolRunner.Output tooBig = ethtool.run(ToolRunner.Tool.ETHTOOL, List.of("-G", "eth0", "rx", "8192"));
        assertEquals(1, tooBig.exitStatus(), "above the pre-set maximum: EINVAL");
        assertTrue(tooBig.err().contains("Invalid argument"), tooBig.err());
        assertEquals(256, host.gateway().rxRing(), "a refused change changes nothing");
        assertEquals(1, ethtool.run(ToolRunner.Tool.ETHTOOL, List.of("-G", "eth9", "rx", "512")).exitStatus());
        assertEquals(1, ethtool.run(ToolRunner.Tool.TC, List.of("qdisc", "show")).exitStatus());

        assertEquals(0, ethtool.run(ToolRunner.Tool.ETHTOOL, List.of("-G", "eth0", "rx", "512")).exitStatus());
        assertEquals(512, host.gateway().rxRing());
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        Finding after = find(interval(host, registry), HotspotType.NIC_RX_DROPS);
        assertFalse(after.bad(), after.toString());
        assertEquals(0, after.metric(), "a ring of 512 holds bursts of 400");
    }

    private static Finding find(List<Finding> findings, HotspotType type) {
        return findings.stream().filter(f -> f.type() == type).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " finding in " + findings));
    }
}

package io.tunnelvision.local.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.CollectorStats;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.local.sim.Fault;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.local.sim.TunnelKind;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's gateways run the agent's own WireGuard and path-MTU collectors over what the model's {@code wg},
 * {@code ping} and {@code ip route get} print.
 */
class FleetGatewayCollectorsTest {

    private static final Instant NOW = Instant.parse("2026-12-06T03:00:00Z");
    private static final SampleHeader HEADER = new SampleHeader("gw-1", "boot", 0L, NOW.toEpochMilli(), "test");

    @TempDir
    Path dir;

    private WireguardSample collect(TunnelKind kind) throws Exception {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw-1", 4, kind, 7), dir.resolve(kind.name()));
        host.advance(Duration.ofSeconds(30), TrafficLoad.typical());
        CollectorRegistry registry = FleetGateway.collectors(host.tree().procRoot(), host.tree().sysRoot(),
                host.gateway(), Clock.fixed(NOW, ZoneOffset.UTC), FleetGateway.pmtuSchedule(),
                SettingsRefresh.everyRound());
        WireguardSample sample = (WireguardSample) registry.find(WireguardSample.class).orElseThrow()
                .collect(HEADER);
        for (CollectorStats stats : registry.stats()) {
            assertEquals(0, stats.malformedLines(), stats.name());
        }
        return sample;
    }

    @Test
    void aWireGuardGatewayReportsItsTunnelsPeersThroughTheAgentsCollector() throws Exception {
        WireguardSample sample = collect(TunnelKind.WIREGUARD);
        assertEquals(1, sample.getInterfaces().size(), "wg0, found by its uevent's DEVTYPE=wireguard");
        assertEquals("wg0", sample.getInterfaces().get(0).getName());
        assertEquals(2, sample.getInterfaces().get(0).getPeers().size());
        assertTrue(sample.getInterfaces().get(0).getPeers().stream()
                .allMatch(p -> p.getLatestHandshakeMs() != null && p.getLatestHandshakeMs() <= NOW.toEpochMilli()
                        && p.getTxBytes() > 0), sample.toString());
    }

    @Test
    void otherTunnelsHaveNoWireGuardInterface() throws Exception {
        assertEquals(0, collect(TunnelKind.VXLAN).getInterfaces().size());
        assertEquals(0, collect(TunnelKind.TUN).getInterfaces().size());
    }

    private PmtuSample probe(SimulatedHost host) throws Exception {
        CollectorRegistry registry = FleetGateway.collectors(host.tree().procRoot(), host.tree().sysRoot(),
                host.gateway(), Clock.fixed(NOW, ZoneOffset.UTC), FleetGateway.pmtuSchedule(),
                SettingsRefresh.everyRound());
        return (PmtuSample) registry.find(PmtuSample.class).orElseThrow().collect(HEADER);
    }

    @Test
    void theAgentsProberFindsTheModelsBlackHoleAndTheMtuThatFitsIt() throws Exception {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw-1", 4, TunnelKind.WIREGUARD, 7),
                dir.resolve("pmtu"));
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        for (PmtuPath p : probe(host).getPaths()) {
            assertEquals(1420, p.getLargestPassedBytes(), "a healthy path carries the tunnel's MTU: " + p);
            assertEquals(null, p.getSmallestFailedBytes());
        }

        host.inject(new Fault.PmtuBlackhole(1328));
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        PmtuSample hole = probe(host);
        assertEquals(2, hole.getPaths().size(), "both peers, by their /32 overlay addresses");
        for (PmtuPath p : hole.getPaths()) {
            assertEquals("wg0", p.getTunnelInterface());
            assertEquals(1420, p.getTunnelMtu());
            assertEquals(1328, p.getLargestPassedBytes(), p.toString());
            assertEquals(1329, p.getSmallestFailedBytes(), p.toString());
            assertEquals(null, p.getReportedMtu(), "no ICMP comes back");
        }

        // what the agent's executor writes for the MTU command; the next step takes it in
        java.nio.file.Files.writeString(host.tree().sysRoot().resolve("class/net/wg0/mtu"), "1320\n");
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        for (PmtuPath p : probe(host).getPaths()) {
            assertEquals(1320, p.getTunnelMtu(), "the MTU the remedy sets, read back from the tree");
            assertEquals(1320, p.getLargestPassedBytes());
            assertEquals(null, p.getSmallestFailedBytes());
        }
    }

    @Test
    void anotherTunnelHasNoPathToProbe() throws Exception {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw-1", 4, TunnelKind.VXLAN, 7),
                dir.resolve("vxlan-pmtu"));
        host.inject(new Fault.PmtuBlackhole(1328));
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());
        assertEquals(0, probe(host).getPaths().size());
    }
}

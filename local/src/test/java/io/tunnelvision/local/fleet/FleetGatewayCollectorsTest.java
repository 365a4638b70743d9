package io.tunnelvision.local.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.CollectorStats;
import io.tunnelvision.local.sim.SimulatedGateway;
import io.tunnelvision.local.sim.SimulatedHost;
import io.tunnelvision.local.sim.TrafficLoad;
import io.tunnelvision.local.sim.TunnelKind;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet's gateways run the agent's own WireGuard collector over what the model's {@code wg} prints. */
class FleetGatewayCollectorsTest {

    private static final Instant NOW = Instant.parse("2026-12-06T03:00:00Z");
    private static final SampleHeader HEADER = new SampleHeader("gw-1", "boot", 0L, NOW.toEpochMilli(), "test");

    @TempDir
    Path dir;

    private WireguardSample collect(TunnelKind kind) throws Exception {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw-1", 4, kind, 7), dir.resolve(kind.name()));
        host.advance(Duration.ofSeconds(30), TrafficLoad.typical());
        CollectorRegistry registry = FleetGateway.collectors(host.tree().procRoot(), host.tree().sysRoot(),
                host.gateway(), Clock.fixed(NOW, ZoneOffset.UTC));
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
}

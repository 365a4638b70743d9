package io.tunnelvision.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbeIntervalTest {

    private static ProbePeer peer(String name, String tunnel, String overlay, String underlay) throws Exception {
        return new ProbePeer(name, tunnel, InetAddress.getByName(overlay), InetAddress.getByName(underlay));
    }

    @Test
    void eachPeerIsProbedOverBothPathsInEverySizeWithTheMtuSizeReadPerTunnel() throws Exception {
        List<ProbePeer> peers = List.of(peer("gw-b", "vx0", "10.98.0.2", "10.99.0.2"),
                peer("gw-c", "gone0", "10.97.0.3", "10.99.0.3"));
        ProbeInterval interval = ProbeInterval.plan(1_000, peers, List.of(new ProbeSize(64), ProbeSize.TUNNEL_MTU),
                7784, tunnel -> Map.of("vx0", 1500).getOrDefault(tunnel, -1));

        List<String> planned = interval.series().stream()
                .map(s -> s.peer().name() + " " + s.path() + " " + ProbePeer.format(s.target()) + " " + s.sizeBytes())
                .toList();
        assertEquals(List.of(
                "gw-b OVERLAY 10.98.0.2:7784 64", "gw-b OVERLAY 10.98.0.2:7784 1472",
                "gw-b UNDERLAY 10.99.0.2:7784 64", "gw-b UNDERLAY 10.99.0.2:7784 1472",
                // a tunnel whose MTU cannot be read keeps its fixed sizes only
                "gw-c OVERLAY 10.97.0.3:7784 64", "gw-c UNDERLAY 10.99.0.3:7784 64"), planned);
    }

    @Test
    void theSampleGroupsTheSeriesByPeer() throws Exception {
        ProbeInterval interval = ProbeInterval.plan(1_000, List.of(peer("gw-b", "vx0", "10.98.0.2", "10.99.0.2")),
                List.of(new ProbeSize(64)), 7784, t -> 1500);
        interval.sent(0);
        interval.received(0, 180);
        interval.sent(1);

        LatencySample sample = interval.toSample(new SampleHeader("gw-a", "boot", 3L, 2_000L, "dev"), 2_000);

        assertEquals(1_000, sample.getIntervalMs());
        assertEquals(1, sample.getPeers().size());
        PeerLatency peer = sample.getPeers().get(0);
        assertEquals("gw-b", peer.getPeer());
        assertEquals("vx0", peer.getTunnelInterface());
        ProbeStats overlay = peer.getProbes().get(0);
        ProbeStats underlay = peer.getProbes().get(1);
        assertEquals(ProbePath.OVERLAY, overlay.getPath());
        assertEquals(180L, overlay.getRttAvgUs());
        assertEquals(0.0, overlay.getLossRatio());
        assertEquals(ProbePath.UNDERLAY, underlay.getPath());
        assertEquals(1.0, underlay.getLossRatio());
    }

    @Test
    void ipv6AddressesAreBracketed() throws Exception {
        assertEquals("[fd00:0:0:0:0:0:0:3]:7784",
                ProbePeer.format(peer("x", "wg0", "fd00::3", "10.0.0.1").overlayAt(7784)));
    }
}

package io.tunnelvision.agent.probe;

import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.PeerLatency;
import io.tunnelvision.schemas.avro.ProbePath;
import io.tunnelvision.schemas.avro.ProbeStats;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The probe series of one interval, fixed when it starts (a size that follows the tunnel MTU is resolved then),
 * and the {@link LatencySample} they make when it ends. Thread-safe: the sender and the receiver share it.
 */
public final class ProbeInterval {

    /** One series: a peer, a path, an address and a size. */
    public record Series(ProbePeer peer, ProbePath path, InetSocketAddress target, int sizeBytes) {
    }

    private final long startMs;
    private final List<Series> series;
    private final SeriesStats[] stats;

    public ProbeInterval(long startMs, List<Series> series) {
        this.startMs = startMs;
        this.series = List.copyOf(series);
        this.stats = new SeriesStats[this.series.size()];
        for (int i = 0; i < stats.length; i++) {
            stats[i] = new SeriesStats();
        }
    }

    /**
     * The series for these peers and sizes: per peer, overlay then underlay, each size. {@code tunnelMtu} gives
     * a tunnel's MTU, or -1 when it cannot be read; sizes that follow the MTU are then left out.
     */
    public static ProbeInterval plan(long startMs, List<ProbePeer> peers, List<ProbeSize> sizes, int port,
                                     ToIntFunction<String> tunnelMtu) {
        List<Series> series = new ArrayList<>();
        for (ProbePeer peer : peers) {
            int mtu = sizes.stream().anyMatch(ProbeSize::followsMtu) ? tunnelMtu.applyAsInt(peer.tunnel()) : -1;
            for (ProbePath path : List.of(ProbePath.OVERLAY, ProbePath.UNDERLAY)) {
                InetSocketAddress target = path == ProbePath.OVERLAY ? peer.overlayAt(port) : peer.underlayAt(port);
                for (ProbeSize size : sizes) {
                    if (size.followsMtu() && mtu <= 0) {
                        continue;
                    }
                    // the overlay address decides the header size: it is the tunnel's packet that must fit
                    series.add(new Series(peer, path, target, size.bytes(mtu, peer.overlay())));
                }
            }
        }
        return new ProbeInterval(startMs, series);
    }

    public List<Series> series() {
        return series;
    }

    public long startMs() {
        return startMs;
    }

    public synchronized void sent(int index) {
        stats[index].sent();
    }

    public synchronized void received(int index, long rttUs) {
        stats[index].received(rttUs);
    }

    /** The sample of this interval, one entry per peer with its series in plan order. */
    public synchronized LatencySample toSample(SampleHeader header, long endMs) {
        Map<ProbePeer, List<ProbeStats>> byPeer = new LinkedHashMap<>();
        for (int i = 0; i < stats.length; i++) {
            Series s = series.get(i);
            byPeer.computeIfAbsent(s.peer(), p -> new ArrayList<>())
                    .add(stats[i].toStats(s.path(), ProbePeer.format(s.target()), s.sizeBytes()));
        }
        List<PeerLatency> peers = new ArrayList<>();
        byPeer.forEach((peer, probes) -> peers.add(PeerLatency.newBuilder().setPeer(peer.name())
                .setTunnelInterface(peer.tunnel()).setProbes(probes).build()));
        return LatencySample.newBuilder().setHeader(header).setIntervalMs(Math.max(0, endMs - startMs))
                .setPeers(peers).build();
    }
}

package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.NicQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** ethtool outputs of real NICs (fixtures/ethtool, provenance in each file's header) read by the pure parsers. */
class EthtoolParseTest {

    static String fixture(String name) throws IOException {
        // the provenance header is ours, not ethtool's
        return Files.readAllLines(Path.of("src/test/resources/fixtures/ethtool", name)).stream()
                .filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void enaRingsAreBelowTheirMaximumAndNaIsUnknownNotZero() throws IOException {
        EthtoolParse.Rings r = EthtoolParse.rings(fixture("ena-rings.txt"));
        assertEquals(new EthtoolParse.Rings(1024, 16384, 1024, 1024), r);
    }

    @Test
    void iceHasCombinedChannelsAndZeroRxChannelsMeansNone() throws IOException {
        EthtoolParse.Channels c = EthtoolParse.channels(fixture("ice-channels.txt"));
        assertEquals(256, c.combined());
        assertEquals(288, c.combinedMax());
        assertNull(c.rx(), "RX 0: no separate rx channels");
        assertEquals(288, c.rxMax());
        assertEquals(32, c.tx());
    }

    @Test
    void virtioWithOneChannelThatCannotHaveMore() throws IOException {
        EthtoolParse.Channels c = EthtoolParse.channels(fixture("virtio-channels.txt"));
        assertEquals(1, c.combined());
        assertEquals(1, c.combinedMax());
    }

    @Test
    void vethHasSeparateChannelsAndNoCombinedOnes() {
        // ethtool 6.1 on a veth made with numtxqueues 4 numrxqueues 4 in this VM, after -L rx 1 tx 1
        String veth = "Channel parameters for v0:\nPre-set maximums:\nRX:\t\t4\nTX:\t\t4\nOther:\t\tn/a\n"
                + "Combined:\tn/a\nCurrent hardware settings:\nRX:\t\t1\nTX:\t\t1\nOther:\t\tn/a\nCombined:\tn/a\n";
        assertEquals(new EthtoolParse.Channels(1, 4, 1, 4, null, null), EthtoolParse.channels(veth));
    }

    @Test
    void coalescingWithAdaptiveOffAndOn() throws IOException {
        assertEquals(new EthtoolParse.Coalesce(20, 5, 72, false),
                EthtoolParse.coalesce(fixture("adaptive-off-coalesce.txt")));
        assertEquals(new EthtoolParse.Coalesce(50, null, 50, true),
                EthtoolParse.coalesce(fixture("adaptive-on-coalesce.txt")));
    }

    @Test
    void featuresKeepTheirStateWithoutFixed() throws IOException {
        Map<String, Boolean> f = EthtoolParse.features(fixture("ice-features.txt"));
        assertEquals(Boolean.FALSE, f.get("rx-udp-gro-forwarding"));
        assertEquals(Boolean.TRUE, f.get("rx-udp_tunnel-port-offload"));
        assertEquals(Boolean.FALSE, f.get("rx-gro-hw"), "off [fixed] is off");
        assertEquals(12, f.size());
    }

    @Test
    void unsupportedQueriesGiveNullsNotZeros() {
        assertEquals(new EthtoolParse.Rings(null, null, null, null), EthtoolParse.rings(null));
        assertEquals(new EthtoolParse.Coalesce(null, null, null, null), EthtoolParse.coalesce(""));
        assertNull(EthtoolParse.driver("netlink error: Operation not supported"));
        assertEquals("veth", EthtoolParse.driver("driver: veth\nversion: 1.0\n"));
    }

    @Test
    void statsSkipAndCountLinesThatAreNotCounters() {
        EthtoolParse.Stats s = EthtoolParse.stats("NIC statistics:\n     rx_packets: 12\n     broken line\n"
                + "     some_string_counter: n/a\n     rx_missed_errors: 18446744073709551616\n     tx_packets: 3\n");
        assertEquals(Map.of("rx_packets", 12L, "tx_packets", 3L), s.counters());
        assertEquals(3, s.malformed().size(), s.malformed().toString());
    }

    @Test
    void mlx5OutOfBufferAndPhyDiscardsAreNormalised() throws IOException {
        EthtoolParse.Stats s = EthtoolParse.stats(fixture("mlx5-stats-excerpt.txt"));
        assertTrue(s.malformed().isEmpty());
        assertEquals(Map.of("rx_missed", 0L, "rx_no_buffer", 0L), NicCounterNames.device(s.counters()));
    }

    @Test
    void ixgbeMissedNoBufferAndFifoAreNormalised() throws IOException {
        EthtoolParse.Stats s = EthtoolParse.stats(fixture("ixgbe-stats-excerpt.txt"));
        assertEquals(Map.of("rx_missed", 0L, "rx_no_buffer", 0L, "rx_fifo", 0L),
                NicCounterNames.device(s.counters()));
    }

    @Test
    void i40eQueuesAndPortDrops() throws IOException {
        Map<String, Long> raw = EthtoolParse.stats(fixture("i40e-stats-excerpt.txt")).counters();
        assertEquals(Map.of("rx_dropped", 363L, "tx_dropped", 0L, "rx_no_buffer", 0L), NicCounterNames.device(raw));
        List<NicQueue> q = NicCounterNames.queues(raw);
        assertEquals(2, q.size());
        assertEquals(17254847413L, q.get(0).getRxPackets());
        assertEquals(14140385387L, q.get(1).getTxPackets());
    }

    @Test
    void enaQueuesFromCnt() throws IOException {
        Map<String, Long> raw = EthtoolParse.stats(fixture("ena-stats-excerpt.txt")).counters();
        List<NicQueue> q = NicCounterNames.queues(raw);
        assertEquals(1, q.size());
        assertEquals(183700L, q.get(0).getRxPackets());
        assertEquals(33539L, q.get(0).getTxPackets());
        assertNull(q.get(0).getRxDrops());
    }

    @Test
    void virtioPerQueueDrops() throws IOException {
        Map<String, Long> raw = EthtoolParse.stats(fixture("virtio-stats.txt")).counters();
        assertEquals(Map.of("rx_dropped", 0L), NicCounterNames.device(raw));
        List<NicQueue> q = NicCounterNames.queues(raw);
        assertEquals(List.of(0, 1), q.stream().map(NicQueue::getQueue).toList());
        assertEquals(0L, q.get(1).getRxDrops());
    }
}

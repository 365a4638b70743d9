package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.rates.QdiscRateCalculator;
import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The egress-queue detectors over two qdisc samples 30 s apart, as the agent sends them by default. */
class QdiscDetectorsTest {

    private static final long T0 = 1_700_000_000_000L;
    private final HostDetectors detectors = new HostDetectors(DetectionThresholds.defaults());

    private static InterfaceConfig iface(String name, InterfaceKind kind, int txQueueLen, String underlay) {
        return InterfaceConfig.newBuilder().setName(name).setIfindex(name.hashCode() & 0xff).setKind(kind).setMtu(1420)
                .setTxQueueLen(txQueueLen).setOperState("unknown").setRxQueues(List.of()).setUnderlay(underlay)
                .build();
    }

    private static InterfaceConfigSample config(InterfaceConfig... ifaces) {
        return new InterfaceConfigSample(new SampleHeader("gw", "b", 1L, T0, "t"), List.of(ifaces));
    }

    private static Qdisc root(String dev, String kind, long bytes, long drops, long backlogBytes, long backlogPackets) {
        return new Qdisc(dev, kind, "1:", null, bytes, bytes / 1000, drops, 0L, 0L, backlogBytes, backlogPackets);
    }

    private static QdiscRates rates(List<Qdisc> before, List<Qdisc> after) {
        return new QdiscRateCalculator().between(new QdiscSample(new SampleHeader("gw", "b", 1L, T0, "t"), before,
                List.of()), new QdiscSample(new SampleHeader("gw", "b", 31L, T0 + 30_000, "t"), after, List.of()));
    }

    private Map<String, Finding> judge(QdiscRates rates, InterfaceConfigSample config) {
        return detectors.onQdisc(rates, config).stream()
                .collect(Collectors.toMap(f -> f.type() + "|" + f.target(), f -> f));
    }

    @Test
    void dropsOnATunnelsUnderlayAreFlaggedAndAnInterfaceNoTunnelUsesIsNot() {
        InterfaceConfigSample config = config(iface("wg0", InterfaceKind.WIREGUARD, 1000, "eth0"),
                iface("eth0", InterfaceKind.PHYSICAL, 1000, null), iface("eth1", InterfaceKind.PHYSICAL, 1000, null));
        QdiscRates rates = rates(List.of(root("eth0", "tbf", 0, 100, 0, 0), root("eth1", "pfifo_fast", 0, 0, 0, 0)),
                List.of(root("eth0", "tbf", 3_000_000, 400, 0, 0), root("eth1", "pfifo_fast", 0, 9_000, 0, 0)));
        Map<String, Finding> f = judge(rates, config);
        assertTrue(f.get("QDISC_DROPS|eth0").bad(), f.toString());
        assertEquals(10.0, f.get("QDISC_DROPS|eth0").metric(), 1e-9);
        assertFalse(f.containsKey("QDISC_DROPS|eth1"), "no tunnel goes over eth1");
    }

    @Test
    void aQueueThatStandsAtBothEndsIsABacklogAndOneThatDrainedIsNot() {
        InterfaceConfigSample config = config(iface("tun0", InterfaceKind.TUN, 500, null));
        // 30,000 bytes queued at 125,000 B/s: 240 ms
        Finding standing = judge(rates(List.of(root("tun0", "tbf", 0, 0, 29_000, 29)),
                List.of(root("tun0", "tbf", 3_750_000, 0, 30_000, 30))), config).get("QDISC_BACKLOG|tun0");
        assertTrue(standing.bad(), standing.toString());
        assertEquals(240.0, standing.metric(), 1e-6);
        Finding drained = judge(rates(List.of(root("tun0", "tbf", 0, 0, 0, 0)),
                List.of(root("tun0", "tbf", 3_750_000, 0, 30_000, 30))), config).get("QDISC_BACKLOG|tun0");
        assertFalse(drained.bad(), "empty at the start of the interval: not standing");
        Finding fast = judge(rates(List.of(root("tun0", "fq_codel", 0, 0, 1_500, 1)),
                List.of(root("tun0", "fq_codel", 375_000_000, 0, 1_500, 1))), config).get("QDISC_BACKLOG|tun0");
        assertFalse(fast.bad(), "1,500 bytes at 12.5 MB/s is 0.12 ms: " + fast);
    }

    @Test
    void theDropsOfAnAqmAreItsSignalNotAnOverflow() {
        InterfaceConfigSample config = config(iface("tun0", InterfaceKind.TUN, 500, "eth0"),
                iface("eth0", InterfaceKind.PHYSICAL, 1000, null));
        // 300 drops/s under fq_codel at tun0's root; under eth0's mq, 300/s by its fq_codel queue, 30/s by a pfifo
        Qdisc codelChild = new Qdisc("eth0", "fq_codel", "0:", "1:1", 0L, 0L, 0L, 0L, 0L, 0L, 0L);
        Qdisc fifoChild = new Qdisc("eth0", "pfifo", "0:", "1:2", 0L, 0L, 0L, 0L, 0L, 0L, 0L);
        Qdisc codelChildLater = new Qdisc("eth0", "fq_codel", "0:", "1:1", 0L, 0L, 9_000L, 0L, 0L, 0L, 0L);
        Qdisc fifoChildLater = new Qdisc("eth0", "pfifo", "0:", "1:2", 0L, 0L, 900L, 0L, 0L, 0L, 0L);
        Map<String, Finding> f = judge(rates(
                List.of(root("tun0", "fq_codel", 0, 0, 0, 0), root("eth0", "mq", 0, 0, 0, 0), codelChild, fifoChild),
                List.of(root("tun0", "fq_codel", 3_000_000, 9_000, 0, 0), root("eth0", "mq", 3_000_000, 9_900, 0, 0),
                        codelChildLater, fifoChildLater)), config);
        assertFalse(f.get("QDISC_DROPS|tun0").bad(), f.toString());
        assertEquals(0.0, f.get("QDISC_DROPS|tun0").metric(), 1e-9);
        assertTrue(f.get("QDISC_DROPS|eth0").bad(), f.toString());
        assertEquals(30.0, f.get("QDISC_DROPS|eth0").metric(), 1e-9, "the pfifo queue's overflow only");
    }

    @Test
    void aReplacedRootHasNoRatesSoNoFinding() {
        InterfaceConfigSample config = config(iface("tun0", InterfaceKind.TUN, 500, null));
        Map<String, Finding> f = judge(rates(List.of(root("tun0", "pfifo_fast", 9_000, 90, 5_000, 5)),
                List.of(root("tun0", "htb", 1_000, 1, 5_000, 5))), config);
        assertFalse(f.containsKey("QDISC_DROPS|tun0"));
        assertFalse(f.containsKey("QDISC_BACKLOG|tun0"));
    }

    @Test
    void txqueuelenZeroIsFlaggedOnATunWhateverItsQdiscAndOnWireguardOnlyUnderAQueueingRoot() {
        InterfaceConfigSample config = config(iface("tun0", InterfaceKind.TUN, 0, null),
                iface("wg0", InterfaceKind.WIREGUARD, 0, null), iface("wg1", InterfaceKind.WIREGUARD, 0, null),
                iface("tun1", InterfaceKind.TUN, 500, null));
        List<Qdisc> qdiscs = List.of(root("tun0", "noqueue", 0, 0, 0, 0), root("wg0", "noqueue", 0, 0, 0, 0),
                root("wg1", "pfifo_fast", 0, 0, 0, 0), root("tun1", "pfifo_fast", 0, 0, 0, 0));
        Map<String, Finding> f = judge(rates(qdiscs, qdiscs), config);
        assertTrue(f.get("TXQUEUELEN_ZERO|tun0").bad(), "a tun's ring to its reader is txqueuelen long");
        assertFalse(f.get("TXQUEUELEN_ZERO|wg0").bad(), "noqueue: kernel WireGuard queues per peer");
        assertTrue(f.get("TXQUEUELEN_ZERO|wg1").bad(), "pfifo_fast of 0 packets");
        assertFalse(f.get("TXQUEUELEN_ZERO|tun1").bad());
        assertEquals(HotspotType.TXQUEUELEN_ZERO, f.get("TXQUEUELEN_ZERO|tun0").type());
    }
}

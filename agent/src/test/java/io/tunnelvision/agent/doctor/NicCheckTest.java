package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.EthtoolParse;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rules' NIC detectors in the doctor, over NIC samples made by the agent's parsers from real ethtool outputs
 * (fixtures/ethtool: ena-rings.txt, veth-channels.txt, adaptive-off-coalesce.txt).
 */
class NicCheckTest {

    private static final long T0_MS = HostBuilder.T0.toEpochMilli();

    private static String fixture(String name) throws IOException {
        return Files.readAllLines(Path.of("src/test/resources/fixtures/ethtool", name)).stream()
                .filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
    }

    private static Nic nic(String name, String driver, String rings, String channels, String coalesce,
                           Map<String, Long> counters) {
        Nic n = new Nic();
        n.setInterface$(name);
        n.setDriver(driver);
        EthtoolParse.Rings r = EthtoolParse.rings(rings);
        n.setRxRing(r.rx());
        n.setRxRingMax(r.rxMax());
        n.setTxRing(r.tx());
        n.setTxRingMax(r.txMax());
        EthtoolParse.Channels c = EthtoolParse.channels(channels);
        n.setCombinedChannels(c.combined());
        n.setCombinedChannelsMax(c.combinedMax());
        n.setRxChannels(c.rx());
        n.setRxChannelsMax(c.rxMax());
        EthtoolParse.Coalesce co = EthtoolParse.coalesce(coalesce);
        n.setRxUsecs(co.rxUsecs());
        n.setRxFrames(co.rxFrames());
        n.setTxUsecs(co.txUsecs());
        n.setAdaptiveRx(co.adaptiveRx());
        n.setFeatures(Map.of());
        n.setCounters(counters);
        n.setQueues(List.of());
        return n;
    }

    private static NicSample sample(long timeMs, Nic... nics) {
        return new NicSample(new SampleHeader("gw-test", "boot", 0L, timeMs, "test"), List.of(nics));
    }

    @Test
    void enaDroppingWithRoomInItsRingAndAVethOnOneOfFourChannelsAreReportedWithTheirEthtoolCommands()
            throws IOException {
        HostBuilder host = HostBuilder.cpus(4);
        String rings = fixture("ena-rings.txt");
        String veth = fixture("veth-channels.txt");
        String coalesce = fixture("adaptive-off-coalesce.txt");
        HostReading first = host.build().withNic(sample(T0_MS,
                nic("ens5", "ena", rings, null, null, Map.of("rx_missed", 100L, "rx_no_buffer", 0L)),
                nic("n0", "veth", null, veth, null, Map.of()),
                nic("eth1", "ixgbe", null, null, coalesce, Map.of())));
        HostReading second = host.later(5).build().withNic(sample(T0_MS + 5_000,
                nic("ens5", "ena", rings, null, null, Map.of("rx_missed", 150L, "rx_no_buffer", 25L)),
                nic("n0", "veth", null, veth, null, Map.of()),
                nic("eth1", "ixgbe", null, null, coalesce, Map.of())));

        List<Finding> findings = HostBuilder.examine(new NicCheck(), first, second);

        Map<String, Finding> bySubject = findings.stream().collect(Collectors.toMap(Finding::subject, f -> f));
        assertEquals(2, findings.size(), "ring drops on ens5, one channel on n0; rx-usecs 20 is no finding: "
                + findings);
        Finding ring = bySubject.get("ens5");
        assertTrue(ring.seen().contains("15.0 received packets/s") && ring.seen().contains("1024 of a possible 16384"),
                ring.seen());
        assertTrue(ring.why().contains("ethtool -G ens5 rx 2048"), ring.why());
        Finding channel = bySubject.get("n0");
        assertTrue(channel.seen().contains("runs 1 RX channel of 4 possible, on 4 CPUs"), channel.seen());
        assertTrue(channel.why().contains("ethtool -L n0 rx 4 tx 4"), channel.why());
    }
}

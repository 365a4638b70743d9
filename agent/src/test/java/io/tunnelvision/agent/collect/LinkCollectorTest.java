package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.schemas.avro.LinkCounters;
import io.tunnelvision.schemas.avro.LinkSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkCollectorTest {

    private static Map<String, LinkCounters> byName(LinkSample sample) {
        return sample.getInterfaces().stream().collect(Collectors.toMap(LinkCounters::getName, Function.identity()));
    }

    private static List<String> names(LinkSample sample) {
        return sample.getInterfaces().stream().map(LinkCounters::getName).collect(Collectors.toList());
    }

    @Test
    void capturedTreeOfThisMachineIsReadFromSysfs() throws Exception {
        LinkSample sample = new LinkCollector(Fixtures.path("live-host/proc"), Fixtures.path("live-host/sys"))
                .collect(Fixtures.header());

        assertEquals(List.of("eth0", "ifb0", "ifb1", "lo"), names(sample));
        LinkCounters eth0 = byName(sample).get("eth0");
        assertEquals(244_954_496L, eth0.getRxBytes());
        assertEquals(6336L, eth0.getRxPackets());
        assertEquals(561_401L, eth0.getTxBytes());
        assertEquals(5101L, eth0.getTxPackets());
        // sysfs was captured a moment after /proc/net/dev (590484): the value shows which source was used
        assertEquals(594_594L, byName(sample).get("lo").getRxBytes());
    }

    @Test
    void capturedNamespaceWithTunnelsIsRead() throws Exception {
        LinkSample sample = new LinkCollector(Fixtures.path("live-netns/proc"), Fixtures.path("live-netns/sys"))
                .collect(Fixtures.header());

        assertEquals(List.of("br0", "lo", "tap0", "tun0", "veth0", "veth1", "vxlan0"), names(sample));
        assertEquals(656L, byName(sample).get("veth0").getRxBytes());
        assertEquals(1034L, byName(sample).get("veth1").getRxBytes());
        assertEquals(0L, byName(sample).get("tun0").getRxBytes());
    }

    @Test
    void interfaceWithoutStatisticsFallsBackToProcNetDev() throws Exception {
        LinkSample sample = new LinkCollector(Fixtures.path("trees/gateway-x86/proc"),
                Fixtures.path("trees/gateway-x86/sys")).collect(Fixtures.header());

        // tap0, broken0 and gone0 have no statistics in sysfs and no line in /proc/net/dev: left out
        assertEquals(List.of("br0", "dummy0", "eth0", "eth0.100", "gre1", "lo", "tun0", "veth-a", "vxlan100", "wg0"),
                names(sample));
        LinkCounters wg0 = byName(sample).get("wg0");
        assertEquals(123_456L, wg0.getRxBytes());
        assertEquals(1L, wg0.getRxDropped());
        assertEquals(2L, wg0.getTxDropped());
        LinkCounters eth0 = byName(sample).get("eth0");
        assertEquals(9_000_000_000L, eth0.getRxBytes());
        assertEquals(4L, eth0.getRxOverErrors(), "from sysfs, where overruns have their own file");
        assertEquals(41L, byName(sample).get("tun0").getTxDropped());
    }

    @Test
    void withoutSysfsEveryInterfaceComesFromProcNetDev(@TempDir Path emptySys) throws Exception {
        LinkSample sample = new LinkCollector(Fixtures.path("live-host/proc"), emptySys).collect(Fixtures.header());

        assertEquals(List.of("lo", "ifb0", "ifb1", "eth0"), names(sample));
        assertEquals(590_484L, byName(sample).get("lo").getRxBytes());
    }

    @Test
    void aSysfsFileWithoutNumberIsCountedAndProcNetDevUsed(@TempDir Path root) throws Exception {
        Path stats = Files.createDirectories(root.resolve("sys/class/net/eth0/statistics"));
        for (String name : new String[] {"rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors",
            "rx_over_errors", "rx_frame_errors", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors",
            "tx_carrier_errors"}) {
            Files.writeString(stats.resolve(name), "7\n");
        }
        Files.writeString(stats.resolve("rx_bytes"), "lots\n");
        Files.createDirectories(root.resolve("proc/net"));
        Files.copy(Fixtures.path("layouts/netdev/long-names.txt"), root.resolve("proc/net/dev"));
        LinkCollector collector = new LinkCollector(root.resolve("proc"), root.resolve("sys"));

        LinkSample sample = collector.collect(Fixtures.header());

        assertEquals(1, collector.malformedLines());
        assertEquals(244_954_496L, byName(sample).get("eth0").getRxBytes());
    }

    @Test
    void neitherSysfsNorProcNetDevMeansTheRootsAreWrong(@TempDir Path root) {
        LinkCollector collector = new LinkCollector(root.resolve("proc"), root.resolve("sys"));

        assertThrows(CollectException.class, () -> collector.collect(Fixtures.header()));
    }
}

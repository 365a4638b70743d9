package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.RxQueue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterfaceConfigCollectorTest {

    private static Map<String, InterfaceConfig> collect(String tree) throws CollectException {
        InterfaceConfigSample sample = new InterfaceConfigCollector(Fixtures.path(tree + "/sys"))
                .collect(Fixtures.header());
        return sample.getInterfaces().stream()
                .collect(Collectors.toMap(InterfaceConfig::getName, Function.identity()));
    }

    @Test
    void capturedNamespaceTellsTunTapVethVxlanAndBridge() throws Exception {
        Map<String, InterfaceConfig> ifs = collect("live-netns");

        assertEquals(InterfaceKind.LOOPBACK, ifs.get("lo").getKind());
        assertEquals(InterfaceKind.TUN, ifs.get("tun0").getKind());
        assertEquals(InterfaceKind.TAP, ifs.get("tap0").getKind());
        assertEquals(InterfaceKind.VETH, ifs.get("veth0").getKind());
        assertEquals(InterfaceKind.VETH, ifs.get("veth1").getKind());
        assertEquals(InterfaceKind.VXLAN, ifs.get("vxlan0").getKind());
        assertEquals(InterfaceKind.BRIDGE, ifs.get("br0").getKind());
    }

    @Test
    void capturedNamespaceGivesSettingsAndTheVxlanUnderlay() throws Exception {
        Map<String, InterfaceConfig> ifs = collect("live-netns");

        InterfaceConfig vxlan = ifs.get("vxlan0");
        assertEquals(6, vxlan.getIfindex());
        assertEquals(1450, vxlan.getMtu());
        assertEquals("veth0", vxlan.getUnderlay());
        InterfaceConfig tun = ifs.get("tun0");
        assertEquals(500, tun.getTxQueueLen());
        assertEquals(1500, tun.getMtu());
        assertNull(tun.getUnderlay());
        assertNull(ifs.get("veth0").getUnderlay(), "a veth's iflink is its peer, not an underlay");
        assertNull(ifs.get("br0").getUnderlay(), "a bridge's lowers are its ports");
        InterfaceConfig veth = ifs.get("veth0");
        assertEquals(List.of(new RxQueue("rx-0", "3", 256)), veth.getRxQueues());
        assertEquals("up", veth.getOperState());
    }

    @Test
    void capturedHostHasAPhysicalVirtioNic() throws Exception {
        Map<String, InterfaceConfig> ifs = collect("live-host");

        InterfaceConfig eth0 = ifs.get("eth0");
        assertEquals(InterfaceKind.PHYSICAL, eth0.getKind());
        assertEquals(4, eth0.getIfindex());
        assertEquals(1400, eth0.getMtu());
        assertEquals(1000, eth0.getTxQueueLen());
        assertEquals(List.of(new RxQueue("rx-0", "0", 0)), eth0.getRxQueues());
        assertEquals(InterfaceKind.OTHER, ifs.get("ifb0").getKind());
    }

    @Test
    void gatewayTreeClassifiesEveryKind() throws Exception {
        Map<String, InterfaceConfig> ifs = collect("trees/gateway-x86");

        assertEquals(InterfaceKind.PHYSICAL, ifs.get("eth0").getKind());
        assertEquals(InterfaceKind.WIREGUARD, ifs.get("wg0").getKind());
        assertEquals(InterfaceKind.TUN, ifs.get("tun0").getKind());
        assertEquals(InterfaceKind.TAP, ifs.get("tap0").getKind());
        assertEquals(InterfaceKind.GRE, ifs.get("gre1").getKind());
        assertEquals(InterfaceKind.VXLAN, ifs.get("vxlan100").getKind());
        assertEquals(InterfaceKind.OTHER, ifs.get("eth0.100").getKind());
        assertEquals(InterfaceKind.BRIDGE, ifs.get("br0").getKind());
        assertEquals(InterfaceKind.VETH, ifs.get("veth-a").getKind());
        assertEquals(InterfaceKind.OTHER, ifs.get("dummy0").getKind());
    }

    @Test
    void underlayComesFromIflinkOrASingleLowerLink() throws Exception {
        Map<String, InterfaceConfig> ifs = collect("trees/gateway-x86");

        assertEquals("eth0", ifs.get("gre1").getUnderlay());
        assertEquals("eth0", ifs.get("vxlan100").getUnderlay());
        assertEquals("eth0", ifs.get("eth0.100").getUnderlay());
        assertNull(ifs.get("wg0").getUnderlay());
        assertNull(ifs.get("veth-a").getUnderlay(), "its peer lives in another namespace");
        assertNull(ifs.get("eth0").getUnderlay());
    }

    @Test
    void rxQueuesAreInNumericOrderWithRawMasks() throws Exception {
        InterfaceConfig eth0 = collect("trees/gateway-x86").get("eth0");

        List<String> queues = eth0.getRxQueues().stream().map(RxQueue::getQueue).collect(Collectors.toList());
        assertEquals(List.of("rx-0", "rx-1", "rx-2", "rx-3", "rx-4", "rx-5", "rx-6", "rx-7", "rx-8", "rx-9", "rx-10",
                "rx-11"), queues);
        assertEquals(new RxQueue("rx-10", "ff", 2048), eth0.getRxQueues().get(10));
        assertEquals(9000, eth0.getMtu());
    }

    @Test
    void missingRpsFilesAreNullsAndMissingQueuesAnEmptyList() throws Exception {
        Map<String, InterfaceConfig> ifs = collect("trees/gateway-x86");

        assertEquals(List.of(new RxQueue("rx-0", "00", null)), ifs.get("dummy0").getRxQueues());
        assertEquals(List.of(), ifs.get("tap0").getRxQueues());
    }

    @Test
    void unreadableInterfacesAreLeftOutAndOnlyGarbageIsCountedMalformed() throws Exception {
        InterfaceConfigCollector collector = new InterfaceConfigCollector(Fixtures.path("trees/gateway-x86/sys"));

        InterfaceConfigSample sample = collector.collect(Fixtures.header());

        List<String> names = sample.getInterfaces().stream().map(InterfaceConfig::getName)
                .collect(Collectors.toList());
        // broken0 has mtu "fifteen hundred", gone0 only a uevent; bonding_masters is a file, not an interface
        assertEquals(List.of("br0", "dummy0", "eth0", "eth0.100", "gre1", "lo", "tap0", "tun0", "veth-a", "vxlan100",
                "wg0"), names);
        assertEquals(1, collector.malformedLines());
    }

    @Test
    void missingSysfsMeansTheRootIsWrong(@TempDir Path sys) {
        assertThrows(CollectException.class,
                () -> new InterfaceConfigCollector(sys).collect(Fixtures.header()));
    }
}

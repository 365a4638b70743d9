package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tunnelvision.schemas.avro.InterfaceKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterfaceKindsTest {

    private static InterfaceFacts facts(int ifindex, int iflink, int type, String devType, Integer tunFlags,
            boolean device, String... lowers) {
        return new InterfaceFacts("x", ifindex, iflink, type, devType, tunFlags, device, List.of(lowers));
    }

    @Test
    void tunFlagsTellTunFromTap() {
        assertEquals(InterfaceKind.TUN, InterfaceKinds.kind(facts(2, 2, 65534, null, 0x1001, false)));
        assertEquals(InterfaceKind.TAP, InterfaceKinds.kind(facts(3, 3, 1, null, 0x1802, false)));
    }

    @Test
    void devTypeNamesWireguardVxlanBridgeAndVeth() {
        assertEquals(InterfaceKind.WIREGUARD, InterfaceKinds.kind(facts(4, 4, 65534, "wireguard", null, false)));
        assertEquals(InterfaceKind.VXLAN, InterfaceKinds.kind(facts(5, 5, 1, "vxlan", null, false, "eth0")));
        assertEquals(InterfaceKind.BRIDGE, InterfaceKinds.kind(facts(6, 6, 1, "bridge", null, false, "a", "b")));
        assertEquals(InterfaceKind.VETH, InterfaceKinds.kind(facts(7, 8, 1, "veth", null, false)));
    }

    @Test
    void arphrdTypeTellsLoopbackAndGre() {
        assertEquals(InterfaceKind.LOOPBACK, InterfaceKinds.kind(facts(1, 1, 772, null, null, false)));
        assertEquals(InterfaceKind.GRE, InterfaceKinds.kind(facts(9, 2, 778, null, null, false)));
        assertEquals(InterfaceKind.GRE, InterfaceKinds.kind(facts(9, 0, 823, null, null, false)));
    }

    @Test
    void aBusDeviceMakesItPhysicalUnlessItIsATunnel() {
        assertEquals(InterfaceKind.PHYSICAL, InterfaceKinds.kind(facts(2, 2, 1, null, null, true)));
        assertEquals(InterfaceKind.PHYSICAL, InterfaceKinds.kind(facts(2, 2, 1, "wlan", null, true)));
    }

    @Test
    void ethernetLinkedToAnotherIfindexWithoutLowersIsTakenForAVeth() {
        assertEquals(InterfaceKind.VETH, InterfaceKinds.kind(facts(4, 5, 1, null, null, false)));
        // a vlan says so in DEVTYPE; a macvlan in the same namespace has a lower_ link
        assertEquals(InterfaceKind.OTHER, InterfaceKinds.kind(facts(7, 2, 1, "vlan", null, false)));
        assertEquals(InterfaceKind.OTHER, InterfaceKinds.kind(facts(8, 2, 1, null, null, false, "eth0")));
    }

    @Test
    void unknownDevicesAreOther() {
        assertEquals(InterfaceKind.OTHER, InterfaceKinds.kind(facts(3, 3, 1, null, null, false)));
        assertEquals(InterfaceKind.OTHER, InterfaceKinds.kind(facts(3, 3, 768, null, null, false)));
    }

    @Test
    void underlayIsTheIflinkTargetFirstThenASingleLower() {
        Map<Integer, String> names = Map.of(2, "eth0", 5, "veth0");

        assertEquals("eth0", InterfaceKinds.underlay(facts(9, 2, 778, null, null, false), InterfaceKind.GRE, names));
        assertEquals("veth0", InterfaceKinds.underlay(facts(6, 6, 1, "vxlan", null, false, "veth0"),
                InterfaceKind.VXLAN, names));
        assertNull(InterfaceKinds.underlay(facts(6, 6, 1, null, null, false, "a", "b"), InterfaceKind.OTHER, names));
        assertNull(InterfaceKinds.underlay(facts(3, 3, 65534, "wireguard", null, false), InterfaceKind.WIREGUARD,
                names));
    }

    @Test
    void vethPeerAndBridgePortsAreNoUnderlay() {
        Map<Integer, String> names = Map.of(4, "veth1", 3, "tap0");

        assertNull(InterfaceKinds.underlay(facts(5, 4, 1, null, null, false), InterfaceKind.VETH, names));
        assertNull(InterfaceKinds.underlay(facts(7, 7, 1, "bridge", null, false, "tap0"), InterfaceKind.BRIDGE,
                names));
    }

    @Test
    void iflinkIntoAnotherNamespaceFallsBackToLowers() {
        assertNull(InterfaceKinds.underlay(facts(9, 42, 778, null, null, false), InterfaceKind.GRE, Map.of()));
    }

    @Test
    void devTypeIsReadFromUevent() {
        assertEquals("vxlan", InterfaceKinds.devType("DEVTYPE=vxlan\nINTERFACE=vxlan0\nIFINDEX=6\n"));
        assertNull(InterfaceKinds.devType("INTERFACE=tun0\nIFINDEX=2"));
        assertNull(InterfaceKinds.devType("DEVTYPE=\n"));
        assertNull(InterfaceKinds.devType(null));
    }
}

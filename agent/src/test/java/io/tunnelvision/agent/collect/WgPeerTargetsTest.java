package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class WgPeerTargetsTest {

    @Test
    void eachPeerIsProbedAtItsHostAllowedIpAndItsEndpointIsKept() throws Exception {
        List<WgPeerTargets.Target> targets = WgPeerTargets.parse(Fixtures.text("layouts/pmtu/wg-allowed-ips.txt"),
                Fixtures.text("layouts/pmtu/wg-endpoints.txt"));

        assertEquals(List.of(
                new WgPeerTargets.Target("pmtuxb", "eDVlvsx17HyPpG0j79rr1cAL6FAKOy/xviFFLTSIr1c=",
                        InetAddress.getByName("10.242.0.1"), InetAddress.getByName("10.241.1.1")),
                new WgPeerTargets.Target("pmtuxa", "N/c8ncj21DEymmUfLnuawu1MXvkcnY8di53vQ83eaQo=",
                        InetAddress.getByName("10.242.0.2"), InetAddress.getByName("10.241.2.1"))), targets);
    }

    @Test
    void unprefixedLinesBelongToTheLastInterfaceAndPrefixesOnlyAreNotProbed() throws Exception {
        String allowed = "wg0\tkeyA=\t10.0.0.0/24 fd00::7/128\n"
                + "keyB=\t192.168.0.0/16\n"
                + "keyC=\t(none)\n"
                + "wg1\tkeyD=\t10.9.0.2/32 10.9.1.0/24\n";
        String endpoints = "wg0\tkeyA=\t[2001:db8::1]:51820\nkeyB=\t(none)\nwg1\tkeyD=\t(none)\n";

        assertEquals(List.of(
                new WgPeerTargets.Target("wg0", "keyA=", InetAddress.getByName("fd00::7"),
                        InetAddress.getByName("2001:db8::1")),
                new WgPeerTargets.Target("wg1", "keyD=", InetAddress.getByName("10.9.0.2"), null)),
                WgPeerTargets.parse(allowed, endpoints));
    }

    @Test
    void nothingOrGarbageGivesNoTargets() {
        assertEquals(List.of(), WgPeerTargets.parse(null, null));
        assertEquals(List.of(), WgPeerTargets.parse("Unable to access interface: Protocol not supported\n", null));
        assertEquals(List.of(), WgPeerTargets.parse("wg0\tkey=\tvpn.example.com/32\n", null));
    }
}

package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WgShowTest {

    @Test
    void onlyTheFirstPeerOfAnInterfaceNamesItAndAPeerWithoutEndpointHasNone() throws Exception {
        // wireguard-go 0.0.20230223 and wg 1.0.20210914: three peers, one IPv6, one never configured, one IPv4
        Map<String, List<InetAddress>> endpoints =
                WgShow.endpoints(Fixtures.text("layouts/wg/one-interface-three-peers.txt"));

        assertEquals(Map.of("wgfix0", List.of(InetAddress.getByName("2001:db8:99::5"),
                InetAddress.getByName("192.0.2.7"))), endpoints);
    }

    @Test
    void everyInterfaceOfAllIsRead() throws Exception {
        Map<String, List<InetAddress>> endpoints = WgShow.endpoints(Fixtures.text("layouts/wg/two-interfaces.txt"));

        assertEquals(List.of(InetAddress.getByName("10.231.0.1")), endpoints.get("wgx-b"));
        assertEquals(List.of(InetAddress.getByName("10.231.0.2")), endpoints.get("wgx-a"));
    }

    @Test
    void nothingOrGarbageGivesNoEndpointsAndNoHostNameIsLookedUp() {
        assertEquals(Map.of(), WgShow.endpoints(null));
        assertEquals(Map.of(), WgShow.endpoints("Unable to access interface: Protocol not supported\n"));
        assertEquals(Map.of("wg0", List.of()), WgShow.endpoints("wg0\tkey=\tvpn.example.com:51820\n"));
    }
}

package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenVpnParseTest {

    // /proc/<openvpn>/fdinfo/3 of its /dev/net/tun on 6.18 (OpenVPN 2.6.14, --dev ovpn-a --dev-type tun)
    private static final String TUN_FDINFO = "pos:\t48\nflags:\t02104002\nmnt_id:\t63\nino:\t103\niff:\tovpn-a\n";

    @Test
    void theTunAProcessHoldsIsNamedInItsFdinfo() {
        assertEquals("ovpn-a", OpenVpnParse.tunInterface(TUN_FDINFO));
        assertNull(OpenVpnParse.tunInterface("pos:\t0\nflags:\t02\nmnt_id:\t25\nino:\t5\n"), "not attached yet");
        assertNull(OpenVpnParse.tunInterface(null));
    }

    @Test
    void socketLinksGiveTheirInode() {
        assertEquals(19654, OpenVpnParse.socketInode("socket:[19654]"));
        assertEquals(-1, OpenVpnParse.socketInode("/dev/net/tun"));
        assertEquals(-1, OpenVpnParse.socketInode("socket:[x]"));
    }

    @Test
    void onlyConnectedUdpSocketsHaveAPeer() throws Exception {
        // a socket connected to 203.0.113.200:1194 and one bound to :1194 (as OpenVPN's own)
        Map<Long, InetAddress> v4 = OpenVpnParse.connectedPeers(Fixtures.text("layouts/udp/connected-udp.txt"));
        Map<Long, InetAddress> v6 = OpenVpnParse.connectedPeers(Fixtures.text("layouts/udp/connected-udp6.txt"));

        assertEquals(Map.of(50274L, InetAddress.getByName("203.0.113.200")), v4);
        assertEquals(Map.of(50278L, InetAddress.getByName("2001:db8:99::5")), v6);
    }

    @Test
    void theRemotesOfTheCommandLineAreLiteralAddressesOnly() throws Exception {
        List<String> argv = List.of("openvpn", "--dev", "ovpn-a", "--remote", "10.231.0.2", "1194", "--remote",
                "vpn.example.com", "--remote", "2001:db8::2", "1194", "udp6");

        assertEquals(List.of(InetAddress.getByName("10.231.0.2"), InetAddress.getByName("2001:db8::2")),
                OpenVpnParse.commandLineRemotes(argv));
        assertNull(OpenVpnParse.configFile(argv));
    }

    @Test
    void theConfigurationFileIsNamedByConfigOrAsTheOnlyArgument() throws Exception {
        assertEquals("client.conf", OpenVpnParse.configFile(List.of("/usr/sbin/openvpn", "--daemon", "--config",
                "client.conf")));
        assertEquals("/etc/openvpn/client/site.conf", OpenVpnParse.configFile(List.of("openvpn",
                "/etc/openvpn/client/site.conf")));
        String config = "client\ndev tun\n# remote 192.0.2.99 1194\nremote 198.51.100.1 1194 udp\n"
                + "remote backup.example.com 1194\n";
        assertEquals(List.of(InetAddress.getByName("198.51.100.1")), OpenVpnParse.configRemotes(config));
    }
}

package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routed underlays on a proc tree built from the fixtures: the two-uplink routes (default eth0 metric 100,
 * wan2 metric 200, 203.0.113.0/24 and the /25 above it via wan2, 2001:db8:99::/48 via wan2) and processes laid
 * out as the kernel shows them (fd links, fdinfo, cmdline, ns/net).
 */
class RoutedUnderlaysTest {

    private static final Map<String, Integer> MTUS = Map.of("eth0", 1500, "wan2", 1500);

    @TempDir
    Path dir;
    private Path proc;
    private final List<List<String>> commandsRun = new ArrayList<>();

    @BeforeEach
    void procTree() throws IOException {
        proc = Files.createDirectories(dir.resolve("proc"));
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/route"), Fixtures.text("layouts/routes/two-uplinks-route.txt"));
        Files.writeString(proc.resolve("net/ipv6_route"), Fixtures.text("layouts/routes/two-uplinks-ipv6_route.txt"));
        Files.writeString(proc.resolve("net/udp"), Fixtures.text("layouts/udp/connected-udp.txt"));
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[4026531840]"));
    }

    @Test
    void aTunTakesTheRouteToThePeerOfItsProcesssConnectedUdpSocketFirst() throws IOException {
        // inode 50274 is connected to 203.0.113.200 (the /25 via wan2); the command line says 8.8.8.8 (eth0)
        process(100, "net:[4026531840]", "ovpn0", List.of("openvpn", "--remote", "8.8.8.8"), "socket:[50274]");

        assertEquals(Map.of("ovpn0", "wan2"), underlays(Map.of("ovpn0", InterfaceKind.TUN)));
    }

    @Test
    void openVpnsRemoteIsReadFromItsCommandLineOrItsConfigurationFile() throws IOException {
        process(100, "net:[4026531840]", "ovpn0", List.of("openvpn", "--remote", "203.0.113.7", "1194"),
                "socket:[1]");
        Path cwd = Files.createDirectories(dir.resolve("etc-openvpn"));
        Files.writeString(cwd.resolve("site.conf"), "dev tun\nremote 2001:db8:99::5 1194 udp6\n");
        process(300, "net:[4026531840]", "ovpn2", List.of("openvpn", "--config", "site.conf"));
        Files.createSymbolicLink(proc.resolve("300/cwd"), cwd);

        assertEquals(Map.of("ovpn0", "wan2", "ovpn2", "wan2"),
                underlays(Map.of("ovpn0", InterfaceKind.TUN, "ovpn2", InterfaceKind.TUN)));
    }

    @Test
    void aTunOfAnotherNetworkNamespaceIsNotThisOnesAndTheDefaultRouteIsTaken() throws IOException {
        process(200, "net:[4026532999]", "ovpn1", List.of("openvpn", "--remote", "203.0.113.7"));

        assertEquals(Map.of("ovpn1", "eth0"), underlays(Map.of("ovpn1", InterfaceKind.TUN)));
    }

    @Test
    void wireGuardTakesTheRouteToItsPeersEndpointsAndTheSmallestMtuOfThem() {
        RoutedUnderlays routed = new RoutedUnderlays(proc, null, command -> {
            commandsRun.add(command);
            return "wg0\tkey1=\t8.8.8.8:51820\nkey2=\t[2001:db8:99::5]:51820\nwg1\tkey3=\t(none)\n";
        });

        assertEquals(Map.of("wg0", "wan2", "wg1", "eth0"), routed.underlays(Map.of("wg0", InterfaceKind.WIREGUARD,
                "wg1", InterfaceKind.WIREGUARD), Map.of("eth0", 1500, "wan2", 1400)));
        assertEquals(List.of(List.of("wg", "show", "all", "endpoints")), commandsRun, "one wg run for all");
    }

    @Test
    void withoutWgAWireGuardTunnelTakesTheDefaultRoute() {
        RoutedUnderlays routed = new RoutedUnderlays(proc, null, command -> null);

        assertEquals(Map.of("wg0", "eth0"), routed.underlays(Map.of("wg0", InterfaceKind.WIREGUARD), MTUS));
    }

    @Test
    void noRoutesNoUnderlayAndNoneReadsNothing() throws IOException {
        Files.delete(proc.resolve("net/route"));
        Files.delete(proc.resolve("net/ipv6_route"));

        assertEquals(Map.of(), underlays(Map.of("tun0", InterfaceKind.TUN)));
        assertEquals(Map.of(), RoutedUnderlays.none().underlays(Map.of("tun0", InterfaceKind.TUN), MTUS));
    }

    @Test
    void aTunWithAWireGuardSocketIsUserspaceWireGuard() throws IOException {
        Path sockets = Files.createDirectories(dir.resolve("run/wireguard"));
        Files.createFile(sockets.resolve("wg0.sock"));
        RoutedUnderlays routed = new RoutedUnderlays(proc, sockets, null);

        assertTrue(routed.userspaceWireGuard("wg0"));
        assertFalse(routed.userspaceWireGuard("tun0"));
        assertFalse(RoutedUnderlays.of(proc).userspaceWireGuard("wg0"), "not the live host: no /run/wireguard");
    }

    private Map<String, String> underlays(Map<String, InterfaceKind> tunnels) {
        return new RoutedUnderlays(proc, null, command -> {
            throw new AssertionError("no wg for tun tunnels: " + command);
        }).underlays(tunnels, MTUS);
    }

    /** A process holding {@code tun} on fd 3, then the given links on fds 4, 5 … */
    private void process(int pid, String netns, String tun, List<String> argv, String... links) throws IOException {
        Path p = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.createDirectories(p.resolve("ns"));
        Files.createSymbolicLink(p.resolve("ns/net"), Path.of(netns));
        Files.createDirectories(p.resolve("fd"));
        Files.createDirectories(p.resolve("fdinfo"));
        Files.createSymbolicLink(p.resolve("fd/3"), Path.of("/dev/net/tun"));
        Files.writeString(p.resolve("fdinfo/3"), "pos:\t48\nflags:\t02104002\nmnt_id:\t63\nino:\t103\niff:\t"
                + tun + "\n");
        for (int i = 0; i < links.length; i++) {
            Files.createSymbolicLink(p.resolve("fd/" + (4 + i)), Path.of(links[i]));
        }
        Files.writeString(p.resolve("cmdline"), String.join("\0", argv) + "\0");
    }
}

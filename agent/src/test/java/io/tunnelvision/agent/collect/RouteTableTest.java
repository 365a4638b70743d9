package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    // /proc/net/route and /proc/net/ipv6_route of a namespace with two uplinks (see fixtures/README.md)
    private static final List<Route> TWO_UPLINKS = routes("two-uplinks");

    @Test
    void theVmsDefaultRoutesAreFoundAndTheKernelsRejectRouteIsNot() throws Exception {
        List<Route> vm = routes("vm");

        assertEquals(List.of(new Route("eth0", ip("0.0.0.0"), 0, 0), new Route("eth0", ip("::"), 0, 1024)),
                RouteTable.defaults(vm));
    }

    @Test
    void ipv4AddressesAreReadInTheKernelsByteOrder() throws Exception {
        // the third usable line: the unreachable 10.99.0.0/16 before it is left out
        Route first = RouteTable.ipv4(Fixtures.text("layouts/routes/two-uplinks-route.txt")).get(2);

        assertEquals(new Route("eth0", ip("192.0.2.0"), 24, 0), first);
    }

    @Test
    void theLongestPrefixWins() throws Exception {
        // 203.0.113.0/24 via wan2 and the default via eth0 both cover it; the /24 is longer
        assertEquals("wan2", via(TWO_UPLINKS, "203.0.113.7", null));
        assertEquals("eth0", via(TWO_UPLINKS, "8.8.8.8", null));
    }

    @Test
    void betweenEquallyLongPrefixesTheLowestMetricWins() throws Exception {
        // 203.0.113.128/25 via wan2 metric 10 and via eth0 metric 50; defaults eth0 100, wan2 200
        assertEquals("wan2", via(TWO_UPLINKS, "203.0.113.200", null));
        assertEquals(List.of("eth0", "wan2", "eth0"), RouteTable.defaults(TWO_UPLINKS).stream()
                .map(Route::iface).toList());
    }

    @Test
    void ipv6RoutesAreLookedUpByTheirOwnFamily() throws Exception {
        assertEquals("wan2", via(TWO_UPLINKS, "2001:db8:99::5", null));
        assertEquals("eth0", via(TWO_UPLINKS, "2001:db8:7::1", null));
        assertEquals("eth0", via(TWO_UPLINKS, "2001:db8:1::99", null));
    }

    @Test
    void anUnreachableRouteIsNoWayOut() throws Exception {
        // "unreachable 10.99.0.0/16" (flags 0201): the address falls through to the default route
        assertEquals("eth0", via(TWO_UPLINKS, "10.99.1.1", null));
    }

    @Test
    void aTunnelsOwnRoutesAreLeftOutOfItsPeersLookup() throws Exception {
        List<Route> withTunnel = new ArrayList<>(TWO_UPLINKS);
        // redirect-gateway def1: 0.0.0.0/1 and 128.0.0.0/1 through the tunnel
        withTunnel.add(new Route("tun0", ip("0.0.0.0"), 1, 0));
        withTunnel.add(new Route("tun0", ip("128.0.0.0"), 1, 0));

        assertEquals("tun0", via(withTunnel, "8.8.8.8", null));
        assertEquals("eth0", via(withTunnel, "8.8.8.8", "tun0"));
    }

    @Test
    void aRouteThatIsNotUpOrAMalformedLineIsSkipped() {
        String text = "eth1\t00000000\t00000000\t0000\t0\t0\t5\t00000000\t0\t0\t0\ngarbage line\n"
                + "eth2\t00000000\t00000000\t0001\t0\t0\tx\t00000000\t0\t0\t0\n";

        assertEquals(List.of(), RouteTable.ipv4(text));
        assertEquals(List.of(), RouteTable.ipv4(null));
        assertEquals(List.of(), RouteTable.ipv6("zz 40 broken\n"));
    }

    @Test
    void noRouteCoversAnAddressOfTheOtherFamily() throws Exception {
        List<Route> v4only = RouteTable.ipv4(Fixtures.text("layouts/routes/vm-route.txt"));

        assertTrue(RouteTable.lookup(v4only, ip("2001:db8::1"), null).isEmpty());
    }

    private static String via(List<Route> routes, String address, String notThrough) throws Exception {
        Optional<Route> r = RouteTable.lookup(routes, ip(address), notThrough);
        return r.map(Route::iface).orElse(null);
    }

    private static List<Route> routes(String name) {
        List<Route> all = new ArrayList<>(RouteTable.ipv4(Fixtures.text("layouts/routes/" + name + "-route.txt")));
        all.addAll(RouteTable.ipv6(Fixtures.text("layouts/routes/" + name + "-ipv6_route.txt")));
        return all;
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}

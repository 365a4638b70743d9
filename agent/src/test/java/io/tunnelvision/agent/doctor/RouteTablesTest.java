package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTablesTest {

    // /proc/net/route and /proc/net/ipv6_route as this 6.18 kernel printed them (trailing spaces trimmed)
    private static final String ROUTE =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
    private static final String IPV6 =
            "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
                    + "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
                    + "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
                    + "fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
                    + "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
                    + "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

    @Test
    void theIpv4DefaultRouteIsFound() {
        assertEquals(List.of(new DefaultRoute("eth0", 0, false)), RouteTables.ipv4(ROUTE));
    }

    @Test
    void theIpv6DefaultRouteIsFoundAndTheKernelsRejectRouteIsNot() {
        assertEquals(List.of(new DefaultRoute("eth0", 1024, true)), RouteTables.ipv6(IPV6));
    }

    @Test
    void aRouteThatIsNotUpOrAMalformedLineIsSkipped() {
        String text = "eth1\t00000000\t00000000\t0000\t0\t0\t5\t00000000\t0\t0\t0\ngarbage line\n"
                + "eth2\t00000000\t00000000\t0001\t0\t0\tx\t00000000\t0\t0\t0\n";

        assertEquals(List.of(), RouteTables.ipv4(text));
        assertEquals(List.of(), RouteTables.ipv4(null));
    }
}

package io.tunnelvision.agent.collect;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /proc/net/route} and {@code /proc/net/ipv6_route} from hostile bytes, and the route lookups the
 * collectors and the doctor make on them: a broken line is left out, nothing is thrown.
 */
class RouteTableFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/routes");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(RouteTableFuzzTest.class, "parseRoutes", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseRoutes(byte[] file) throws Exception {
        String text = new String(file, StandardCharsets.UTF_8);
        List<Route> v4 = RouteTable.ipv4(text);
        List<Route> v6 = RouteTable.ipv6(text);
        RouteTable.defaults(v4);
        RouteTable.defaults(v6);
        RouteTable.lookup(v4, InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), "tun0");
        RouteTable.lookup(v6, InetAddress.getByAddress(new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 1}), "wg0");
    }

    @Test
    void everySeedParses() throws Exception {
        for (Path seed : SEEDS) {
            parseRoutes(FuzzSeeds.bytes(seed));
        }
    }
}

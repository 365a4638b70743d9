package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RpFilterCheckTest {

    private static List<Finding> run(boolean forwarding, Map<String, Integer> filters, String... uplinks) {
        HostBuilder host = HostBuilder.cpus(2).forwarding(forwarding)
                .kernel(k -> k.setRpFilter(new TreeMap<>(filters)));
        for (String uplink : uplinks) {
            host.defaultRoute(uplink, 100, false);
        }
        HostReading first = host.build();
        return HostBuilder.examine(new RpFilterCheck(), first, host.later(5).build());
    }

    @Test
    void strictOnAMultiPathGatewayIsAWarningAndGoesLoose() {
        Finding f = run(true, Map.of("all", 1, "default", 1, "eth0", 1, "eth1", 0, "eth0.100", 1, "lo", 0),
                "eth0", "eth1").get(0);

        assertEquals(Severity.WARNING, f.severity());
        // the rules never change rp_filter: the doctor explains loose mode and runs nothing
        assertEquals("", f.fix());
        assertTrue(f.seen().contains("strict on eth0, eth0.100"), f.seen());
        assertTrue(f.why().contains("sysctl -w net.ipv4.conf.all.rp_filter=2"), f.why());
    }

    @Test
    void strictOnASinglePathGatewayIsWorthKnowing() {
        Finding f = run(true, Map.of("all", 0, "eth0", 1), "eth0").get(0);

        assertEquals(Severity.INFO, f.severity());
        assertEquals("", f.fix());
    }

    @Test
    void looseAllWinsOverAStrictInterface() {
        // the kernel uses max(all, interface): 2 beats 1
        assertEquals(List.of(), run(true, Map.of("all", 2, "eth0", 1, "eth1", 1), "eth0", "eth1"));
    }

    @Test
    void aHostThatDoesNotForwardIsNotAGateway() {
        assertEquals(List.of(), run(false, Map.of("all", 1, "eth0", 1), "eth0", "eth1"));
    }
}

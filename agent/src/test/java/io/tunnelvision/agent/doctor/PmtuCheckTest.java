package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.PmtuStep;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules' PMTU_BLACKHOLE in the doctor, over PmtuSample records as the agent's path-MTU collector makes them;
 * the sizes are those PmtuBlackholeLabIT measures through wireguard-go (wg0 at 1420 over a router at 1400 that
 * drops its ICMP: 1328 passes, 1329 does not).
 */
class PmtuCheckTest {

    private static PmtuPath path(String peer, String address, int tunnelMtu, Integer passed, Integer failed,
                                 Integer reported) {
        return new PmtuPath(peer, "wg0", address, tunnelMtu, List.of(new PmtuStep(576, 1, passed == null ? 0 : 1)),
                passed, failed, reported);
    }

    private static List<Finding> run(PmtuPath... paths) {
        HostBuilder host = HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0")
                .iface("wg0", InterfaceKind.WIREGUARD, 1420, 1000, "0");
        PmtuSample sample = new PmtuSample(new SampleHeader("gw-test", "boot", 1L, HostBuilder.T0.toEpochMilli(),
                "test"), List.of(paths));
        HostReading first = host.build();
        HostReading second = host.later(5).build().withPmtu(sample);
        return HostBuilder.examine(new PmtuCheck(), first, second);
    }

    @Test
    void aPathThatSwallowsWhatTheTunnelsMtuAllowsWithoutIcmpIsABlackHoleFixedByASmallerMtu() {
        List<Finding> findings = run(path("gw-far", "10.9.0.2:0", 1420, 1328, 1329, null),
                path("gw-near", "10.9.0.3:0", 1420, 1420, null, null));

        assertEquals(1, findings.size(), findings.toString());
        Finding f = findings.get(0);
        assertEquals("wg0", f.subject());
        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.seen().contains("wg0 has mtu 1420; don't-fragment probes through it pass up to 1328 bytes and "
                + "vanish from 1329 bytes on"), f.seen());
        assertTrue(f.seen().contains("peer gw-far at 10.9.0.2:0: 1328 passed, 1329 failed"), f.seen());
        assertTrue(!f.seen().contains("gw-near"), "the healthy path is not blamed: " + f.seen());
        assertTrue(f.why().contains("Lowering the tunnel's MTU to 1320"), f.why());
        assertEquals("ip link set dev wg0 mtu 1320", f.fix());
    }

    @Test
    void aPathMtuThatIcmpReportedIsDiscoveryWorkingNotABlackHole() {
        assertEquals(List.of(), run(path("gw-far", "10.9.0.2:0", 1420, 1328, 1329, 1380)));
    }

    @Test
    void anUnreachablePeerTellsNothingAboutTheMtu() {
        assertEquals(List.of(), run(path("gw-far", "10.9.0.2:0", 1420, null, 576, null)));
    }

    @Test
    void belowTheFloorNoMtuIsProposedAndTheCheckSaysToClampTheMss() {
        List<Finding> findings = run(path("gw-far", "10.9.0.2:0", 1420, 580, 581, null));

        assertEquals(1, findings.size(), findings.toString());
        assertTrue(findings.get(0).why().contains("clamp TCP's MSS"), findings.get(0).why());
        assertEquals("", findings.get(0).fix(), "no MTU below the 576 bytes every IPv4 path carries");
    }

    @Test
    void withoutAPathMtuSampleTheCheckFindsNothing() {
        HostBuilder host = HostBuilder.cpus(2).iface("wg0", InterfaceKind.WIREGUARD, 1420, 1000, "0");
        assertEquals(List.of(), HostBuilder.examine(new PmtuCheck(), host.build(), host.later(5).build()));
    }
}

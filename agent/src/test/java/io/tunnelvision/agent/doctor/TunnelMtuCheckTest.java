package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TunnelMtuCheckTest {

    private static HostBuilder gateway(InterfaceKind kind, int mtu) {
        return HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0", "0")
                .iface("tun9", kind, mtu, 1000, "3").defaultRoute("eth0", 100, false);
    }

    private static List<Finding> run(HostBuilder host, long fragCreates) {
        host.kernel(k -> k.setIpFragCreates(0L));
        HostReading first = host.build();
        host.kernel(k -> k.setIpFragCreates(fragCreates));
        return HostBuilder.examine(new TunnelMtuCheck(), first, host.later(5).build());
    }

    @ParameterizedTest
    @CsvSource({
        "WIREGUARD, 1500, 1440, CRITICAL",
        "WIREGUARD, 1441, 1440, CRITICAL",
        "VXLAN, 1500, 1450, CRITICAL",
        "GRE, 1500, 1476, CRITICAL",
        "TUN, 1500, 1448, WARNING",
        "TUN, 1450, 1448, WARNING"
    })
    void anMtuWithoutRoomForTheEncapsulationIsFound(InterfaceKind kind, int mtu, int fixed, Severity severity) {
        Finding f = run(gateway(kind, mtu), 0).get(0);

        assertEquals(severity, f.severity());
        assertEquals("tun9", f.subject());
        assertEquals("ip link set dev tun9 mtu " + fixed, f.fix());
    }

    @ParameterizedTest
    @CsvSource({"WIREGUARD, 1440", "WIREGUARD, 1420", "VXLAN, 1450", "GRE, 1476", "TUN, 1448", "TAP, 1500",
        "BRIDGE, 1500"})
    void anMtuThatFitsIsHealthy(InterfaceKind kind, int mtu) {
        assertEquals(List.of(), run(gateway(kind, mtu), 0));
    }

    @Test
    void aTunThatIsFragmentingIsCritical() {
        assertEquals(Severity.CRITICAL, run(gateway(InterfaceKind.TUN, 1500), 100).get(0).severity());
    }

    @Test
    void theKernelsOwnUnderlayWinsOverTheDefaultRoute() {
        HostBuilder host = gateway(InterfaceKind.VXLAN, 1500)
                .iface("eth1", InterfaceKind.PHYSICAL, 9000, 1000, "0")
                .change("tun9", i -> i.setUnderlay("eth1"));

        assertEquals(List.of(), run(host, 0));
    }

    @Test
    void anIpv6UnderlayNeedsMoreRoom() {
        HostBuilder host = HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0")
                .iface("wg0", InterfaceKind.WIREGUARD, 1440, 1000, "3").defaultRoute("eth0", 1024, true);

        Finding f = run(host, 0).get(0);

        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals("ip link set dev wg0 mtu 1420", f.fix());
    }

    @Test
    void fittingIpv4OnlyOnADualStackHostIsWorthKnowing() {
        HostBuilder host = gateway(InterfaceKind.WIREGUARD, 1440).defaultRoute("eth0", 1024, true);

        Finding f = run(host, 0).get(0);

        assertEquals(Severity.INFO, f.severity());
        assertEquals("ip link set dev tun9 mtu 1420", f.fix());
    }

    @Test
    void withoutAnyUnderlayNothingIsClaimed() {
        HostBuilder host = HostBuilder.cpus(2).iface("wg0", InterfaceKind.WIREGUARD, 1500, 1000, "3");

        assertEquals(List.of(), run(host, 0));
    }

    @Test
    void aDefaultRouteThroughTheTunnelItselfIsNotItsUnderlay() {
        HostBuilder host = HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0")
                .iface("wg0", InterfaceKind.WIREGUARD, 1500, 1000, "3")
                .defaultRoute("wg0", 0, false).defaultRoute("eth0", 100, false);

        Finding f = run(host, 0).get(0);

        assertTrue(f.seen().contains("over eth0"), f.seen());
    }
}

package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rules' MtuMismatchDetector: a tunnel over the kernel's own underlay link whose MTU plus encapsulation does
 * not fit, confirmed by rising fragments. Without probes the IPv6 overhead is assumed.
 */
class TunnelMtuCheckTest {

    /** tun9 over eth0 (MTU 1500) as its kernel link. */
    private static HostBuilder gateway(InterfaceKind kind, int mtu) {
        return HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0", "0")
                .iface("tun9", kind, mtu, 1000, "3").change("tun9", i -> i.setUnderlay("eth0"));
    }

    private static List<Finding> run(HostBuilder host, long fragCreates) {
        host.kernel(k -> k.setIpFragCreates(0L));
        HostReading first = host.build();
        host.kernel(k -> k.setIpFragCreates(fragCreates));
        return HostBuilder.examine(new TunnelMtuCheck(), first, host.later(5).build());
    }

    @ParameterizedTest
    @CsvSource({
        "WIREGUARD, 1500, 1420",
        "WIREGUARD, 1421, 1420",
        "VXLAN, 1500, 1430",
        "GRE, 1500, 1456",
        "TUN, 1500, 1428"
    })
    void anMtuWithoutRoomForTheEncapsulationIsFoundWhenFragmentsRise(InterfaceKind kind, int mtu, int fixed) {
        // 20 fragments/s: ten times the fleet's 1/s
        Finding f = run(gateway(kind, mtu), 100).get(0);

        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals("tun9", f.subject());
        assertTrue(f.seen().contains("over eth0 of mtu 1500"), f.seen());
        assertEquals("ip link set dev tun9 mtu " + fixed, f.fix());
    }

    @Test
    void fewerFragmentsAreAWarning() {
        assertEquals(Severity.WARNING, run(gateway(InterfaceKind.VXLAN, 1500), 10).get(0).severity());
    }

    @ParameterizedTest
    @CsvSource({"WIREGUARD, 1420", "VXLAN, 1430", "GRE, 1456", "TUN, 1428", "BRIDGE, 1500"})
    void anMtuThatFitsIsHealthyEvenWhileFragmenting(InterfaceKind kind, int mtu) {
        assertEquals(List.of(), run(gateway(kind, mtu), 100));
    }

    @Test
    void aTooBigMtuWithoutFragmentsIsOnlyASuspect() {
        assertEquals(List.of(), run(gateway(InterfaceKind.WIREGUARD, 1500), 0));
    }

    @Test
    void theKernelsOwnUnderlayDecides() {
        HostBuilder host = gateway(InterfaceKind.VXLAN, 1500)
                .iface("eth1", InterfaceKind.PHYSICAL, 9000, 1000, "0")
                .change("tun9", i -> i.setUnderlay("eth1"));

        assertEquals(List.of(), run(host, 100));
    }

    @Test
    void aTunnelThatRoutesItsPacketsHasNoUnderlayInTheSamplesYet() {
        // WireGuard's underlay is the default route's interface, which no sample carries yet
        HostBuilder host = HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0")
                .iface("wg0", InterfaceKind.WIREGUARD, 1500, 1000, "3").defaultRoute("eth0", 100, false);

        assertEquals(List.of(), run(host, 100));
    }
}

package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RPS off is the rules' RpsOffDetector: a tunnel with RPS off on a multi-core host whose NET_RX sits on one CPU. */
class RpsCheckTest {

    private final RpsCheck check = new RpsCheck();

    /** {@code netRxPerSecond} NET_RX softirqs a second, all on the first online CPU, over 5 s. */
    private List<Finding> run(HostBuilder host, long netRxPerSecond) {
        HostReading first = host.build();
        int cpu = first.interrupts().getOnlineCpus().get(0);
        host.netRx(cpu, netRxPerSecond * 5);
        return HostBuilder.examine(check, first, host.later(5).build());
    }

    @Test
    void tunWithRpsOffAndItsWorkOnOneCpuGetsMaskFAndRfs() {
        HostBuilder host = HostBuilder.cpus(4).kernel(k -> k.setRpsSockFlowEntries(0L))
                .iface("tun0", InterfaceKind.TUN, 1400, 1000, "0");

        List<Finding> findings = run(host, 5000);

        assertEquals(1, findings.size());
        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertEquals("echo f > /sys/class/net/tun0/queues/rx-0/rps_cpus\n"
                + "sysctl -w net.core.rps_sock_flow_entries=32768\n"
                + "echo 4096 > /sys/class/net/tun0/queues/rx-0/rps_flow_cnt", findings.get(0).fix());
    }

    @ParameterizedTest
    @CsvSource({
        "0-1, 2, 0, 3",
        "0-3, 4, 0, f",
        "0-35, 36, '0,00000000', 'f,ffffffff'",
        "0-71, 72, '00,00000000,00000000', 'ff,ffffffff,ffffffff'",
        "'0-3,5', 6, 00, 2f"
    })
    void theFixMaskNamesExactlyTheOnlineCpus(String online, int possible, String off, String mask) {
        HostBuilder host = HostBuilder.cpus(online, possible).iface("tun0", InterfaceKind.TUN, 1400, 1000, off);

        Finding f = run(host, 5000).get(0);

        assertTrue(f.fix().startsWith("echo " + mask + " > /sys/class/net/tun0/queues/rx-0/rps_cpus"), f.fix());
    }

    @Test
    void aTunWhoseNewIncarnationsStartWithoutRpsIsToldAboutTheDefaultMask() {
        HostBuilder host = HostBuilder.cpus(2).rpsDefaultMask("0").iface("tun0", InterfaceKind.TUN, 1400, 1000, "0");

        Finding f = run(host, 50_000).get(0);

        assertTrue(f.why().contains("sysctl -w net.core.rps_default_mask=3"), f.why());
    }

    @Test
    void rpsOnIsHealthy() {
        assertEquals(List.of(), run(HostBuilder.cpus(4).iface("tun0", InterfaceKind.TUN, 1400, 1000, "f"), 50_000));
    }

    @Test
    void aSingleCpuHostHasNowhereToSteer() {
        assertEquals(List.of(), run(HostBuilder.cpus(1).iface("tun0", InterfaceKind.TUN, 1400, 1000, "0"), 50_000));
    }

    @Test
    void rpsOffWithoutReceiveWorkOnOneCpuIsNotAProblemYet() {
        // below the fleet's 1000 NET_RX/s: nothing to spread
        assertEquals(List.of(), run(HostBuilder.cpus(4).iface("tun0", InterfaceKind.TUN, 1400, 1000, "0"), 100));
    }

    @Test
    void aNicIsNotATunnel() {
        // the rules judge RPS on tunnels only; a NIC's queues are spread by their IRQs (irq-distribution)
        HostBuilder host = HostBuilder.cpus(2).iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0");

        assertEquals(List.of(), run(host, 50_000));
    }
}

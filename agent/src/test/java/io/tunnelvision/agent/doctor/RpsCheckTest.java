package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RpsCheckTest {

    private final RpsCheck check = new RpsCheck();

    private List<Finding> run(HostBuilder host, long rxPackets) {
        HostReading first = host.build();
        host.counter("tun0", "rxPackets", rxPackets);
        return HostBuilder.examine(check, first, host.later(5).build());
    }

    @Test
    void tunWithRpsOffOnFourCpusGetsMaskFAndRfs() {
        HostBuilder host = HostBuilder.cpus(4).kernel(k -> k.setRpsSockFlowEntries(0L))
                .iface("tun0", InterfaceKind.TUN, 1400, 1000, "0");

        List<Finding> findings = run(host, 1000);

        assertEquals(1, findings.size());
        assertEquals(Severity.WARNING, findings.get(0).severity());
        assertEquals("echo f > /sys/class/net/tun0/queues/rx-0/rps_cpus\n"
                + "sysctl -w net.core.rps_sock_flow_entries=32768\n"
                + "echo 32768 > /sys/class/net/tun0/queues/rx-0/rps_flow_cnt", findings.get(0).fix());
    }

    @ParameterizedTest
    @CsvSource({
        "0-1, 2, 0, 3",
        "0-3, 4, 0, f",
        "0-35, 36, '0,00000000', 'f,ffffffff'",
        "0-71, 72, '00,00000000,00000000', 'ff,ffffffff,ffffffff'",
        "'0-3,5', 6, 00, 2f"
    })
    void theFixMaskFitsTheOnlineCpus(String online, int possible, String off, String mask) {
        HostBuilder host = HostBuilder.cpus(online, possible).iface("tun0", InterfaceKind.TUN, 1400, 1000, off);

        Finding f = run(host, 0).get(0);

        assertTrue(f.fix().startsWith("echo " + mask + " > /sys/class/net/tun0/queues/rx-0/rps_cpus"), f.fix());
    }

    @Test
    void aBusyTunnelIsCriticalAndATunGetsADefaultMaskForItsNextIncarnation() {
        HostBuilder host = HostBuilder.cpus(2).rpsDefaultMask("0").iface("tun0", InterfaceKind.TUN, 1400, 1000, "0");

        Finding f = run(host, 50_000).get(0);

        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.fix().endsWith("sysctl -w net.core.rps_default_mask=3"), f.fix());
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
    void aNicWithAQueuePerCpuNeedsNoRps() {
        HostBuilder host = HostBuilder.cpus(2).iface("tun0", InterfaceKind.BRIDGE, 1500, 1000, "0")
                .iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0", "0");

        assertEquals(List.of(), run(host, 0));
    }

    @Test
    void aSingleQueueNicWithLittleTrafficIsOnlyWorthKnowing() {
        HostBuilder host = HostBuilder.cpus(2).iface("tun0", InterfaceKind.BRIDGE, 1500, 1000, "0")
                .iface("eth0", InterfaceKind.PHYSICAL, 1500, 1000, "0");

        Finding f = run(host, 0).get(0);

        assertEquals("eth0", f.subject());
        assertEquals(Severity.INFO, f.severity());
    }

    @Test
    void aMaskNamingOfflineCpusIsReported() {
        HostBuilder host = HostBuilder.cpus("0-3,5", 8).iface("tun0", InterfaceKind.TUN, 1400, 1000, "ff");

        Finding f = run(host, 0).get(0);

        assertEquals(Severity.INFO, f.severity());
        assertTrue(f.seen().contains("naming CPUs 4,6-7"), f.seen());
        assertEquals("echo 2f > /sys/class/net/tun0/queues/rx-0/rps_cpus", f.fix());
    }

    @ParameterizedTest
    @CsvSource({"32768, 1, 32768", "32768, 4, 8192", "32768, 12, 2048", "65536, 3, 16384", "1, 8, 1"})
    void flowCountIsTheTableSplitOverQueuesAsAPowerOfTwo(long table, int queues, long expected) {
        assertEquals(expected, RpsCommands.flowCount(table, queues));
    }
}

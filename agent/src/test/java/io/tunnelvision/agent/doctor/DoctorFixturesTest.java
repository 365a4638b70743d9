package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.Severity;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The doctor over whole fixture trees read by the agent's collectors: pairs with known problems and healthy ones. */
class DoctorFixturesTest {

    private static Path resource(String relative) {
        URL url = DoctorFixturesTest.class.getResource("/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("No test resource " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HostReading read(Path tree, long secondsAfterT0) {
        return new HostReader(tree.resolve("proc"), tree.resolve("sys"), Clock.systemUTC())
                .read(HostBuilder.T0.plusSeconds(secondsAfterT0));
    }

    /** The pair {@code doctor/<scenario>/before} and {@code after}, read 5 s apart. */
    private static DoctorReport pair(String scenario) {
        Path dir = resource("doctor/" + scenario);
        return Doctor.examine(read(dir.resolve("before"), 0), read(dir.resolve("after"), 5));
    }

    /** One tree read twice: configuration findings only, every rate zero. */
    private static DoctorReport same(String tree) {
        Path dir = resource(tree);
        return Doctor.examine(read(dir, 0), read(dir, 5));
    }

    private static Finding only(DoctorReport report, String check, String subject) {
        List<Finding> found = report.findings().stream()
                .filter(f -> f.check().equals(check) && f.subject().equals(subject)).collect(Collectors.toList());
        assertEquals(1, found.size(), () -> check + " on " + subject + " in:\n" + report.renderText());
        return found.get(0);
    }

    @Test
    void theSickGatewayHasEveryKnownProblemWithItsSeverityAndFix() {
        DoctorReport report = pair("sick-gateway");

        // the rules group the NIC's queue lines by its PCI function and spread all of them in one change set
        Finding irq = only(report, "irq-distribution", "0000:3b:00.0");
        assertEquals(Severity.WARNING, irq.severity());
        assertTrue(irq.seen().contains("cpu0 took 100%"), irq.seen());
        List<String> writes = List.of(irq.fix().split("; "));
        assertEquals(4, writes.size(), irq.fix());
        assertEquals(4, writes.stream().map(w -> w.substring(5, w.indexOf(' ', 5))).distinct().count(),
                "four queues on four distinct CPUs: " + irq.fix());
        assertTrue(writes.get(0).endsWith("> /proc/irq/40/smp_affinity_list"), irq.fix());

        Finding si = only(report, "softirq-load", "cpu0");
        assertEquals(Severity.CRITICAL, si.severity());
        assertEquals("echo f > /sys/class/net/tun0/queues/rx-0/rps_cpus", si.fix());

        // 120/s: critical at ten times the fleet's 10/s; one step of the netdev_budget ladder (300, 600, 1200)
        Finding squeeze = only(report, "softnet-squeeze", "softnet");
        assertEquals(Severity.CRITICAL, squeeze.severity());
        assertEquals("sysctl -w net.core.netdev_budget=600", squeeze.fix());

        Finding backlog = only(report, "softnet-backlog", "softnet");
        assertEquals(Severity.WARNING, backlog.severity());
        assertEquals("sysctl -w net.core.netdev_max_backlog=2000", backlog.fix());

        // RPS off while cpu0 does the NET_RX work: the mask over the online CPUs, then RFS
        Finding rps = only(report, "rps", "tun0");
        assertEquals(Severity.WARNING, rps.severity());
        assertEquals("echo f > /sys/class/net/tun0/queues/rx-0/rps_cpus\n"
                + "sysctl -w net.core.rps_sock_flow_entries=32768\n"
                + "echo 4096 > /sys/class/net/tun0/queues/rx-0/rps_flow_cnt", rps.fix());
        assertTrue(rps.why().contains("net.core.rps_default_mask=f"), rps.why());

        Finding rcvbuf = only(report, "socket-buffers", "udp receive buffers");
        assertEquals(Severity.CRITICAL, rcvbuf.severity());
        assertEquals("sysctl -w net.core.rmem_max=4194304", rcvbuf.fix());

        // vxlan0 names its underlay; without probes the rules assume an IPv6 underlay (70 bytes)
        Finding vxlan = only(report, "tunnel-mtu", "vxlan0");
        assertEquals(Severity.CRITICAL, vxlan.severity());
        assertEquals("ip link set dev vxlan0 mtu 1430", vxlan.fix());

        assertEquals(Severity.WARNING, only(report, "fragmentation", "ip fragmentation").severity());

        Finding rp = only(report, "rp-filter", "rp_filter");
        assertEquals(Severity.WARNING, rp.severity());
        assertEquals("", rp.fix(), "the rules never change rp_filter");
        assertTrue(rp.why().contains("sysctl -w net.ipv4.conf.all.rp_filter=2"), rp.why());

        Finding governor = only(report, "cpu-governor", "cpufreq");
        assertEquals(Severity.WARNING, governor.severity());
        assertTrue(governor.seen().contains("powersave on CPUs 0-3"), governor.seen());
        assertTrue(governor.fix().startsWith("echo performance > /sys/devices/system/cpu/cpu0/cpufreq/"),
                governor.fix());

        assertEquals(Severity.INFO, only(report, "rfs", "wg0").severity());

        assertTrue(report.hasCritical());
        assertEquals(2, report.exitCode());
        assertTrue(report.findings().stream().noneMatch(f -> f.subject().equals("doctor")), report.renderText());
    }

    @Test
    void whatTheFleetDoesNotCountAsAProblemTheDoctorDoesNotReportEither() {
        DoctorReport report = pair("sick-gateway");

        // tun0 drops 4/s on transmit (below the fleet's 5/s, and cpu0 is saturated, so not a queue problem)
        List<String> subjects = report.findings().stream().map(f -> f.check() + " " + f.subject()).toList();
        assertFalse(subjects.contains("tx-queue tun0"), subjects.toString());
    }

    @Test
    void wireGuardAndTunTunnelsAreJudgedOverTheDefaultRoutesInterface() {
        DoctorReport report = pair("sick-gateway");

        // no WireGuard peer or OpenVPN process in a fixture tree: the agent's routed underlay is the default
        // route's eth0; without probes the IPv6 overheads (80 and 72 bytes)
        assertEquals("ip link set dev wg0 mtu 1420", only(report, "tunnel-mtu", "wg0").fix());
        assertEquals("ip link set dev tun0 mtu 1428", only(report, "tunnel-mtu", "tun0").fix());
    }

    @Test
    void theTunedGatewayIsHealthy() {
        DoctorReport report = pair("healthy-gateway");

        assertEquals(List.of(), report.findings(), report.renderText());
        assertEquals(0, report.exitCode());
    }

    @Test
    void withOfflineCpusAndNoTrafficRpsOffIsNotAProblemYet() {
        // the fleet judges RPS off only when NET_RX work piles onto one CPU; this pair has no traffic
        DoctorReport report = pair("offline-cpus");

        assertEquals(List.of(), report.findings(), report.renderText());
        assertEquals(0, report.exitCode());
    }

    @Test
    void theCapturedLiveHostHasNothingCritical() {
        DoctorReport report = same("fixtures/live-host");

        assertFalse(report.hasCritical(), report.renderText());
    }

    @Test
    void theHandWrittenGatewayWithOfflineCpusSwitchesOnlyItsSlowOnlineCpus() {
        DoctorReport report = same("fixtures/trees/gateway-x86");

        // online 0-3,5,7 of 8 possible, CPU 0 already on performance
        Finding governor = only(report, "cpu-governor", "cpufreq");
        assertEquals(Severity.WARNING, governor.severity());
        assertEquals(5, governor.fix().lines().count(), governor.fix());
        assertTrue(governor.fix().contains("/cpu7/cpufreq/scaling_governor"), governor.fix());
        assertTrue(report.findings().stream().noneMatch(f -> f.check().equals("tunnel-mtu")), report.renderText());
    }
}

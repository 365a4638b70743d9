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

        Finding irq = only(report, "irq-distribution", "eth0");
        assertEquals(Severity.CRITICAL, irq.severity());
        assertTrue(irq.seen().contains("cpu0 took 100%"), irq.seen());
        assertEquals("echo 0 > /proc/irq/40/smp_affinity_list\necho 1 > /proc/irq/41/smp_affinity_list\n"
                + "echo 2 > /proc/irq/42/smp_affinity_list\necho 3 > /proc/irq/43/smp_affinity_list", irq.fix());

        Finding si = only(report, "softirq-load", "cpu0");
        assertEquals(Severity.CRITICAL, si.severity());

        Finding squeeze = only(report, "softnet-squeeze", "softnet");
        assertEquals(Severity.CRITICAL, squeeze.severity());
        assertEquals("sysctl -w net.core.netdev_budget=600 net.core.netdev_budget_usecs=4000", squeeze.fix());

        Finding backlog = only(report, "softnet-backlog", "softnet");
        assertEquals(Severity.WARNING, backlog.severity());
        assertEquals("sysctl -w net.core.netdev_max_backlog=2000", backlog.fix());

        Finding txq = only(report, "tx-queue", "tun0");
        assertEquals(Severity.WARNING, txq.severity());
        assertEquals("ip link set dev tun0 txqueuelen 1000", txq.fix());

        Finding rps = only(report, "rps", "tun0");
        assertEquals(Severity.WARNING, rps.severity());
        assertEquals("echo f > /sys/class/net/tun0/queues/rx-0/rps_cpus\n"
                + "sysctl -w net.core.rps_sock_flow_entries=32768\n"
                + "echo 32768 > /sys/class/net/tun0/queues/rx-0/rps_flow_cnt\n"
                + "sysctl -w net.core.rps_default_mask=f", rps.fix());

        Finding rcvbuf = only(report, "socket-buffers", "udp receive buffers");
        assertEquals(Severity.CRITICAL, rcvbuf.severity());
        assertEquals("sysctl -w net.core.rmem_max=16777216", rcvbuf.fix());

        Finding vxlan = only(report, "tunnel-mtu", "vxlan0");
        assertEquals(Severity.CRITICAL, vxlan.severity());
        assertEquals("ip link set dev vxlan0 mtu 1450", vxlan.fix());
        Finding wg = only(report, "tunnel-mtu", "wg0");
        assertEquals(Severity.CRITICAL, wg.severity());
        assertEquals("ip link set dev wg0 mtu 1440", wg.fix());
        Finding tun = only(report, "tunnel-mtu", "tun0");
        assertEquals("ip link set dev tun0 mtu 1448", tun.fix());

        assertEquals(Severity.WARNING, only(report, "fragmentation", "ip fragmentation").severity());

        Finding rp = only(report, "rp-filter", "rp_filter");
        assertEquals(Severity.WARNING, rp.severity());
        assertTrue(rp.fix().startsWith("sysctl -w net.ipv4.conf.all.rp_filter=2"), rp.fix());

        Finding governor = only(report, "cpu-governor", "cpufreq");
        assertEquals(Severity.WARNING, governor.severity());
        assertTrue(governor.seen().contains("powersave on CPUs 0-3"), governor.seen());

        assertTrue(report.hasCritical());
        assertEquals(2, report.exitCode());
        assertTrue(report.findings().stream().noneMatch(f -> f.subject().equals("doctor")), report.renderText());
    }

    @Test
    void theTunedGatewayIsHealthy() {
        DoctorReport report = pair("healthy-gateway");

        assertEquals(List.of(), report.findings(), report.renderText());
        assertEquals(0, report.exitCode());
    }

    @Test
    void withOfflineCpusTheRpsMaskNamesOnlyTheOnlineOnes() {
        DoctorReport report = pair("offline-cpus");

        Finding rps = only(report, "rps", "tun0");
        assertEquals("echo 2f > /sys/class/net/tun0/queues/rx-0/rps_cpus\n"
                + "echo 32768 > /sys/class/net/tun0/queues/rx-0/rps_flow_cnt", rps.fix());
        assertEquals(1, report.exitCode());
    }

    @Test
    void theCapturedLiveHostHasNothingCritical() {
        DoctorReport report = same("fixtures/live-host");

        assertFalse(report.hasCritical(), report.renderText());
        // 2 CPUs, single-queue virtio eth0 without RPS: worth knowing, with the mask this host accepts
        assertEquals("echo 3 > /sys/class/net/eth0/queues/rx-0/rps_cpus",
                only(report, "rps", "eth0").fix().lines().findFirst().orElseThrow());
    }

    @Test
    void theHandWrittenGatewayWithOfflineCpusGetsMasksOverItsOnlineCpus() {
        DoctorReport report = same("fixtures/trees/gateway-x86");

        // online 0-3,5,7 of 8 possible
        assertTrue(only(report, "rps", "tun0").fix().startsWith("echo af > /sys/class/net/tun0/queues/rx-0/rps_cpus"));
        assertTrue(report.findings().stream().noneMatch(f -> f.check().equals("tunnel-mtu")), report.renderText());
        assertEquals(Severity.WARNING, only(report, "cpu-governor", "cpufreq").severity());
    }
}

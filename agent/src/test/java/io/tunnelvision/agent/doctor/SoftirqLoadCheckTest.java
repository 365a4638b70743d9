package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoftirqLoadCheckTest {

    private final SoftirqLoadCheck check = new SoftirqLoadCheck();

    /** Over 5 s at USER_HZ 100 each CPU spends 500 ticks; cpu0 spends {@code si0} of them in softirqs. */
    private List<Finding> run(long si0) {
        HostBuilder host = HostBuilder.cpus(4).iface("tun0", InterfaceKind.TUN, 1400, 1000, "0");
        HostReading first = host.build();
        host.ticks(0, si0, 500).ticks(1, 5, 500).ticks(2, 5, 500).ticks(3, 5, 500);
        return HostBuilder.examine(check, first, host.later(5).build());
    }

    @Test
    void aCoreMostlyInSoftirqsIsCriticalAndRpsOnTheTunnelIsTheFix() {
        List<Finding> findings = run(350);

        assertEquals(1, findings.size());
        assertEquals(Severity.CRITICAL, findings.get(0).severity());
        assertEquals("cpu0", findings.get(0).subject());
        assertTrue(findings.get(0).seen().contains("70%"), findings.get(0).seen());
        assertEquals("echo f > /sys/class/net/tun0/queues/rx-0/rps_cpus", findings.get(0).fix());
    }

    @Test
    void atTheWarningThresholdItIsAWarning() {
        assertEquals(Severity.WARNING, run(150).get(0).severity());
    }

    @Test
    void justBelowTheWarningThresholdIsHealthy() {
        assertEquals(List.of(), run(149));
    }

    @Test
    void halfTheTimeInSoftirqsIsTheFleetsSaturation() {
        // the fleet's cpuSaturatedShare (0.5) makes it critical; the doctor used to wait for 60%
        assertEquals(Severity.CRITICAL, run(250).get(0).severity());
    }
}

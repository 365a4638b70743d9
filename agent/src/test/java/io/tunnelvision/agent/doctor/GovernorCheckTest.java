package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.schemas.avro.Severity;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GovernorCheckTest {

    private static List<Finding> run(Map<String, String> governors) {
        HostBuilder host = HostBuilder.cpus(4).kernel(k -> k.setCpuGovernors(new TreeMap<>(governors)));
        HostReading first = host.build();
        return HostBuilder.examine(new GovernorCheck(), first, host.later(5).build());
    }

    @Test
    void powersaveIsAWarningAndOnlyTheSlowCpusAreSwitched() {
        Finding f = run(Map.of("0", "performance", "1", "powersave", "2", "powersave", "3", "schedutil")).get(0);

        assertEquals(Severity.WARNING, f.severity());
        assertEquals("echo performance > /sys/devices/system/cpu/cpu1/cpufreq/scaling_governor\n"
                + "echo performance > /sys/devices/system/cpu/cpu2/cpufreq/scaling_governor\n"
                + "echo performance > /sys/devices/system/cpu/cpu3/cpufreq/scaling_governor", f.fix());
    }

    @Test
    void aDynamicGovernorIsWorthKnowing() {
        assertEquals(Severity.INFO, run(Map.of("0", "schedutil", "1", "schedutil")).get(0).severity());
    }

    @Test
    void performanceEverywhereIsHealthy() {
        assertEquals(List.of(), run(Map.of("0", "performance", "1", "performance")));
    }

    @Test
    void withoutCpufreqThereIsNothingToTune() {
        assertEquals(List.of(), run(Map.of()), "no cpufreq (most VMs) is not a problem of this host");
    }
}

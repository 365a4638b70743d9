package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tunnelvision.schemas.avro.KernelSettingsSample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSettingsCollectorTest {

    private static KernelSettingsSample collect(String tree) {
        return new KernelSettingsCollector(Fixtures.path(tree + "/proc"), Fixtures.path(tree + "/sys"))
                .collect(Fixtures.header());
    }

    @Test
    void capturedTreeOfThisMachineGivesItsValues() {
        KernelSettingsSample sample = collect("live-host");

        assertEquals(4_194_304L, sample.getRmemMax());
        assertEquals(4_194_304L, sample.getWmemMax());
        assertEquals(300L, sample.getNetdevBudget());
        assertEquals(8000L, sample.getNetdevBudgetUsecs());
        assertEquals(1000L, sample.getNetdevMaxBacklog());
        assertEquals(0L, sample.getRpsSockFlowEntries());
        assertEquals(Map.of("all", 0, "default", 0, "eth0", 0, "ifb0", 0, "ifb1", 0, "lo", 0), sample.getRpFilter());
        assertEquals(Map.of(), sample.getCpuGovernors(), "this VM has no cpufreq");
        assertEquals(0L, sample.getUdpRcvbufErrors());
        assertEquals(0L, sample.getIpFragCreates());
    }

    @Test
    void aNamespaceLacksTheHostOnlySysctlsWhichBecomeNulls() {
        KernelSettingsSample sample = collect("live-netns");

        assertEquals(4_194_304L, sample.getRmemMax());
        assertNull(sample.getNetdevBudget());
        assertNull(sample.getNetdevBudgetUsecs());
        assertNull(sample.getNetdevMaxBacklog());
        assertNull(sample.getRpsSockFlowEntries());
        assertEquals(2, sample.getRpFilter().get("veth0"));
        assertEquals(List.of("all", "br0", "default", "lo", "tap0", "tun0", "veth0", "veth1", "vxlan0"),
                List.copyOf(sample.getRpFilter().keySet()));
    }

    @Test
    void gatewayTreeGivesGovernorsSnmpCountersAndSkipsGarbage() {
        KernelSettingsCollector collector = new KernelSettingsCollector(Fixtures.path("trees/gateway-x86/proc"),
                Fixtures.path("trees/gateway-x86/sys"));

        KernelSettingsSample sample = collector.collect(Fixtures.header());

        assertEquals(List.of("0", "1", "2", "3", "5", "7"), List.copyOf(sample.getCpuGovernors().keySet()));
        assertEquals("performance", sample.getCpuGovernors().get("0"));
        assertEquals("powersave", sample.getCpuGovernors().get("7"));
        assertNull(sample.getNetdevBudgetUsecs(), "like a 4.9 kernel");
        assertEquals(17L, sample.getUdpRcvbufErrors());
        assertEquals(4L, sample.getUdpSndbufErrors());
        assertEquals(25L, sample.getUdpInErrors());
        assertEquals(30L, sample.getIpReasmReqds());
        assertEquals(10L, sample.getIpReasmOks());
        assertEquals(2L, sample.getIpReasmFails());
        assertEquals(5L, sample.getIpFragOks());
        assertEquals(1L, sample.getIpFragFails());
        assertEquals(11L, sample.getIpFragCreates());
        assertEquals(Map.of("all", 1, "default", 1, "eth0", 2, "wg0", 0, "tun0", 1), sample.getRpFilter());
        assertEquals(1, collector.malformedLines(), "rp_filter of lo holds 'x'");
    }

    @Test
    void nothingThereGivesAnAllNullSampleNotAnError(@TempDir Path root) {
        KernelSettingsSample sample = new KernelSettingsCollector(root.resolve("proc"), root.resolve("sys"))
                .collect(Fixtures.header());

        assertNull(sample.getRmemMax());
        assertNull(sample.getUdpRcvbufErrors());
        assertNull(sample.getIpFragCreates());
        assertEquals(Map.of(), sample.getRpFilter());
        assertEquals(Map.of(), sample.getCpuGovernors());
    }
}

package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.RxQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsRefreshTest {

    @Test
    void dueInTheFirstRoundThenEveryNthAndAtOnceWhenRequested() {
        SettingsRefresh refresh = new SettingsRefresh(3);
        SettingsRefresh.Clock a = refresh.clock();
        SettingsRefresh.Clock b = refresh.clock();

        assertEquals(List.of(true, false, false, true, false), rounds(a, 5));
        refresh.requestNow();
        // every collector's next round reads, whatever its own count
        assertTrue(a.due());
        assertEquals(List.of(true, false, false, true, false), rounds(b, 5));
        assertEquals(List.of(false, false, true), rounds(a, 3));
        assertThrows(IllegalArgumentException.class, () -> new SettingsRefresh(0));
        assertEquals(List.of(true, true, true), rounds(SettingsRefresh.everyRound().clock(), 3));
    }

    private static List<Boolean> rounds(SettingsRefresh.Clock clock, int n) {
        Boolean[] due = new Boolean[n];
        for (int i = 0; i < n; i++) {
            due[i] = clock.due();
        }
        return List.of(due);
    }

    @Test
    void interfaceSettingsAreReadWhenDueButTheStateEveryRound(@TempDir Path sys) throws Exception {
        Path tun0 = netInterface(sys, "tun0", 7);
        SettingsRefresh refresh = new SettingsRefresh(3);
        InterfaceConfigCollector collector = new InterfaceConfigCollector(sys, refresh);
        assertEquals(1400, tun0(collector).getMtu());

        // Given an administrator's change and the link going down
        Files.writeString(tun0.resolve("mtu"), "1380\n");
        Files.writeString(tun0.resolve("queues/rx-0/rps_cpus"), "f\n");
        Files.writeString(tun0.resolve("operstate"), "down\n");

        // Then the state shows at once and the settings when due (the third round)
        InterfaceConfig second = tun0(collector);
        assertEquals("down", second.getOperState());
        assertEquals(1400, second.getMtu());
        assertEquals(new RxQueue("rx-0", "0", 0), second.getRxQueues().get(0));
        assertEquals(1400, tun0(collector).getMtu());
        InterfaceConfig fourth = tun0(collector);
        assertEquals(1380, fourth.getMtu());
        assertEquals(new RxQueue("rx-0", "f", 0), fourth.getRxQueues().get(0));

        // and after a command, in the next round
        Files.writeString(tun0.resolve("tx_queue_len"), "1000\n");
        refresh.requestNow();
        assertEquals(1000, tun0(collector).getTxQueueLen());
    }

    @Test
    void anInterfaceCreatedAgainUnderTheSameNameIsReadAtOnce(@TempDir Path sys) throws Exception {
        Path tun0 = netInterface(sys, "tun0", 7);
        InterfaceConfigCollector collector = new InterfaceConfigCollector(sys, new SettingsRefresh(100));
        assertEquals(7, tun0(collector).getIfindex());

        Files.writeString(tun0.resolve("ifindex"), "9\n");
        Files.writeString(tun0.resolve("mtu"), "1280\n");
        netInterface(sys, "wg0", 8);

        InterfaceConfig again = tun0(collector);
        assertEquals(9, again.getIfindex());
        assertEquals(1280, again.getMtu());
        assertEquals(List.of("tun0", "wg0"), collector.collect(Fixtures.header()).getInterfaces().stream()
                .map(InterfaceConfig::getName).sorted().toList());
    }

    @Test
    void kernelCountersAreReadEveryRoundAndSysctlsWhenDue(@TempDir Path root) throws Exception {
        Path proc = root.resolve("proc");
        Path sys = root.resolve("sys");
        Files.createDirectories(proc.resolve("sys/net/core"));
        Files.createDirectories(proc.resolve("net"));
        Files.createDirectories(sys.resolve("devices/system/cpu/cpu0/cpufreq"));
        Files.writeString(proc.resolve("sys/net/core/netdev_budget"), "300\n");
        Files.writeString(sys.resolve("devices/system/cpu/cpu0/cpufreq/scaling_governor"), "powersave\n");
        snmp(proc, 5);
        SettingsRefresh refresh = new SettingsRefresh(2);
        KernelSettingsCollector collector = new KernelSettingsCollector(proc, sys, refresh);
        assertEquals(300L, collector.collect(Fixtures.header()).getNetdevBudget());

        Files.writeString(proc.resolve("sys/net/core/netdev_budget"), "600\n");
        Files.writeString(sys.resolve("devices/system/cpu/cpu0/cpufreq/scaling_governor"), "performance\n");
        snmp(proc, 6);

        KernelSettingsSample second = collector.collect(Fixtures.header());
        assertEquals(6L, second.getUdpRcvbufErrors(), "a counter, read every round");
        assertEquals(300L, second.getNetdevBudget());
        assertEquals("powersave", second.getCpuGovernors().get("0"));
        KernelSettingsSample third = collector.collect(Fixtures.header());
        assertEquals(600L, third.getNetdevBudget());
        assertEquals("performance", third.getCpuGovernors().get("0"));
        assertFalse(collector.malformedLines() > 0);
    }

    private static InterfaceConfig tun0(InterfaceConfigCollector collector) throws CollectException {
        return collector.collect(Fixtures.header()).getInterfaces().stream()
                .filter(i -> i.getName().equals("tun0")).findFirst().orElseThrow();
    }

    private static Path netInterface(Path sys, String name, int ifindex) throws IOException {
        Path dir = sys.resolve("class/net").resolve(name);
        Files.createDirectories(dir.resolve("queues/rx-0"));
        Files.writeString(dir.resolve("ifindex"), ifindex + "\n");
        Files.writeString(dir.resolve("iflink"), ifindex + "\n");
        Files.writeString(dir.resolve("type"), "65534\n");
        Files.writeString(dir.resolve("mtu"), "1400\n");
        Files.writeString(dir.resolve("tx_queue_len"), "500\n");
        Files.writeString(dir.resolve("operstate"), "up\n");
        Files.writeString(dir.resolve("tun_flags"), "0x1001\n");
        Files.writeString(dir.resolve("uevent"), "INTERFACE=" + name + "\nIFINDEX=" + ifindex + "\n");
        Files.writeString(dir.resolve("queues/rx-0/rps_cpus"), "0\n");
        Files.writeString(dir.resolve("queues/rx-0/rps_flow_cnt"), "0\n");
        return dir;
    }

    private static void snmp(Path proc, long rcvbufErrors) throws IOException {
        Files.writeString(proc.resolve("net/snmp"), "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors"
                + " SndbufErrors\nUdp: 10 0 0 10 " + rcvbufErrors + " 0\n");
    }
}

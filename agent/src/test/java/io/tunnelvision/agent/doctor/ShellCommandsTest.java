package io.tunnelvision.agent.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The line a person types for each action, pinned so that reading paths from the catalog changes none. */
class ShellCommandsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "TXQUEUELEN|tun0|2000|ip link set dev tun0 txqueuelen 2000",
            "MTU|wg0|1420|ip link set dev wg0 mtu 1420",
            "RPS_CPUS|tun0/rx-0|f|echo f > /sys/class/net/tun0/queues/rx-0/rps_cpus",
            "RPS_FLOW_CNT|tun0/rx-1|4096|echo 4096 > /sys/class/net/tun0/queues/rx-1/rps_flow_cnt",
            "RPS_SOCK_FLOW_ENTRIES|host|32768|sysctl -w net.core.rps_sock_flow_entries=32768",
            "NETDEV_BUDGET|host|600|sysctl -w net.core.netdev_budget=600",
            "NETDEV_BUDGET_USECS|host|4000|sysctl -w net.core.netdev_budget_usecs=4000",
            "NETDEV_MAX_BACKLOG|host|2000|sysctl -w net.core.netdev_max_backlog=2000",
            "RMEM_MAX|host|4194304|sysctl -w net.core.rmem_max=4194304",
            "WMEM_MAX|host|4194304|sysctl -w net.core.wmem_max=4194304",
            "RP_FILTER|eth0.100|2|sysctl -w net.ipv4.conf.eth0/100.rp_filter=2",
            "RP_FILTER|all|2|sysctl -w net.ipv4.conf.all.rp_filter=2",
            "IRQ_AFFINITY|45|1|echo 1 > /proc/irq/45/smp_affinity_list",
            "IRQ_AFFINITY|45,46|0;2-3|echo 0 > /proc/irq/45/smp_affinity_list; echo 2-3 > /proc/irq/46/smp_affinity_list",
            "COALESCE_RX_USECS|eth0|50|ethtool -C eth0 rx-usecs 50",
            "CPU_GOVERNOR|3|performance|echo performance > /sys/devices/system/cpu/cpu3/cpufreq/scaling_governor",
            "RX_RING|eth0|4096|ethtool -G eth0 rx 4096",
            "COMBINED_CHANNELS|eth0|8|ethtool -L eth0 combined 8",
            "ROOT_QDISC|eth0|fq_codel|tc qdisc replace dev eth0 root fq_codel"})
    void eachActionIsTheCommandAPersonWouldType(TuningAction action, String target, String value, String line) {
        assertEquals(line, ShellCommands.of(new Change(action, target, "0", value)));
    }

    @Test
    void aQueueTargetWithoutAQueueAndAnIrqSetWithTheWrongNumberOfValuesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ShellCommands.of(new Change(TuningAction.RPS_CPUS, "tun0", "0", "f")));
        assertThrows(IllegalArgumentException.class,
                () -> ShellCommands.of(new Change(TuningAction.IRQ_AFFINITY, "45,46", "0;0", "1")));
        assertThrows(IllegalArgumentException.class,
                () -> ShellCommands.of(new Change(TuningAction.UNKNOWN, "tun0", "0", "1")));
    }

    @Test
    void channelsAreSetAsTheDeviceHasThem() {
        Nic veth = nic("n0", null, 4);
        Nic ice = nic("eth0", 288, null);
        NicSample nics = new NicSample(null, List.of(veth, ice));

        String lines = ShellCommands.of(List.of(new Change(TuningAction.COMBINED_CHANNELS, "n0", "1", "4"),
                new Change(TuningAction.COMBINED_CHANNELS, "eth0", "1", "32"),
                new Change(TuningAction.COMBINED_CHANNELS, "eth9", "1", "2")), nics);

        assertEquals("ethtool -L n0 rx 4 tx 4\nethtool -L eth0 combined 32\nethtool -L eth9 combined 2", lines);
    }

    private static Nic nic(String name, Integer combinedMax, Integer rxMax) {
        Nic nic = new Nic();
        nic.setInterface$(name);
        nic.setCombinedChannelsMax(combinedMax);
        nic.setRxChannelsMax(rxMax);
        return nic;
    }
}

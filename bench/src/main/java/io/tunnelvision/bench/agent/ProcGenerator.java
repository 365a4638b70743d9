package io.tunnelvision.bench.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes /proc and /sys files shaped like a big gateway's: a NIC with one MSI-X vector per CPU queue, the usual
 * named rows, and counts that are mostly small (most vectors fire on one CPU), as on real hosts.
 */
public final class ProcGenerator {

    private ProcGenerator() {
    }

    /** {@code /proc/interrupts} of a host with {@code cpus} online CPUs and {@code vectors} device rows. */
    public static String interrupts(int cpus, int vectors, long seed) {
        Random random = new Random(seed);
        StringBuilder out = new StringBuilder(cpus * 11 * (vectors + 12));
        out.append("           ");
        for (int cpu = 0; cpu < cpus; cpu++) {
            out.append(String.format("%-11s", "CPU" + cpu));
        }
        out.append('\n');
        for (int irq = 0; irq < vectors; irq++) {
            out.append(String.format("%4d: ", 24 + irq));
            int home = irq % cpus;
            for (int cpu = 0; cpu < cpus; cpu++) {
                long count = cpu == home ? 1_000_000L + random.nextInt(1_000_000_000) : random.nextInt(4) == 0 ? random.nextInt(50) : 0;
                out.append(String.format("%10d ", count));
            }
            String device = irq % 3 == 0 ? "mlx5_comp" + irq + "@pci:0000:86:00.0"
                    : irq % 3 == 1 ? "eth0-TxRx-" + irq : "nvme0q" + irq;
            out.append(" IR-PCI-MSI ").append(524288 + irq).append("-edge      ").append(device).append('\n');
        }
        for (String name : new String[] {"NMI", "LOC", "SPU", "PMI", "IWI", "RTR", "RES", "CAL", "TLB", "TRM",
                "THR", "DFR", "MCE", "MCP"}) {
            out.append(String.format("%4s: ", name));
            for (int cpu = 0; cpu < cpus; cpu++) {
                out.append(String.format("%10d ", random.nextInt(100_000)));
            }
            out.append("  ").append(name).append(" interrupts\n");
        }
        out.append(" ERR:          0\n MIS:          0\n");
        return out.toString();
    }

    /** {@code /proc/net/softnet_stat} with 13 columns (kernel 5.10+) for {@code cpus} CPUs. */
    public static String softnet(int cpus, long seed) {
        Random random = new Random(seed);
        StringBuilder out = new StringBuilder(cpus * 120);
        for (int cpu = 0; cpu < cpus; cpu++) {
            out.append(String.format("%08x %08x %08x 00000000 00000000 00000000 00000000 00000000 00000000 "
                            + "%08x %08x %08x %08x%n", random.nextInt(1 << 30), random.nextInt(100),
                    random.nextInt(10_000), random.nextInt(1 << 20), 0, 0, cpu));
        }
        return out.toString();
    }

    /** {@code /proc/softirqs} for {@code cpus} CPUs. */
    public static String softirqs(int cpus, long seed) {
        Random random = new Random(seed);
        StringBuilder out = new StringBuilder();
        out.append("                ");
        for (int cpu = 0; cpu < cpus; cpu++) {
            out.append(String.format("%-11s", "CPU" + cpu));
        }
        out.append('\n');
        for (String name : new String[] {"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET",
                "SCHED", "HRTIMER", "RCU"}) {
            out.append(String.format("%12s:", name));
            for (int cpu = 0; cpu < cpus; cpu++) {
                out.append(String.format(" %10d", random.nextInt(10_000_000)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** {@code /proc/stat} for {@code cpus} CPUs. */
    public static String stat(int cpus, long seed) {
        Random random = new Random(seed);
        StringBuilder out = new StringBuilder("cpu  1 2 3 4 5 6 7 8 0 0\n");
        for (int cpu = 0; cpu < cpus; cpu++) {
            out.append("cpu").append(cpu);
            for (int col = 0; col < 10; col++) {
                out.append(' ').append(col >= 8 ? 0 : random.nextInt(1_000_000));
            }
            out.append('\n');
        }
        return out.append("intr 0\nctxt 0\nbtime 0\nprocesses 1\n").toString();
    }

    /**
     * A whole proc/sys tree of a gateway with {@code cpus} CPUs, an eth0 with one queue per CPU, a tun0 and a
     * wg0: enough for every collector, for footprint measurements of the agent.
     */
    public static void tree(Path root, int cpus, long seed) throws IOException {
        Path proc = root.resolve("proc");
        Path sys = root.resolve("sys");
        write(proc.resolve("interrupts"), interrupts(cpus, cpus + 8, seed));
        write(proc.resolve("softirqs"), softirqs(cpus, seed));
        write(proc.resolve("stat"), stat(cpus, seed));
        write(proc.resolve("net/softnet_stat"), softnet(cpus, seed));
        write(proc.resolve("net/snmp"), """
                Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates
                Ip: 1 64 100 0 0 0 0 0 100 100 0 0 0 10 5 0 5 0 10
                Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
                Udp: 100 0 3 100 3 0 0 0 0
                """);
        write(proc.resolve("sys/kernel/hostname"), "bench-gw\n");
        write(proc.resolve("sys/kernel/random/boot_id"), "00000000-0000-4000-8000-000000000000\n");
        for (String[] kv : new String[][] {{"rmem_max", "212992"}, {"wmem_max", "212992"}, {"netdev_budget", "300"},
                {"netdev_budget_usecs", "2000"}, {"netdev_max_backlog", "1000"}, {"rps_sock_flow_entries", "0"}}) {
            write(proc.resolve("sys/net/core").resolve(kv[0]), kv[1] + "\n");
        }
        for (String conf : new String[] {"all", "default", "eth0", "tun0", "wg0"}) {
            write(proc.resolve("sys/net/ipv4/conf").resolve(conf).resolve("rp_filter"), "1\n");
        }
        String[][] ifaces = {{"eth0", "2", "1", "1500", "1000", ""}, {"tun0", "3", "65534", "1500", "500", ""},
                {"wg0", "4", "65534", "1420", "1000", "DEVTYPE=wireguard\n"}};
        for (String[] i : ifaces) {
            Path dir = sys.resolve("class/net").resolve(i[0]);
            write(dir.resolve("ifindex"), i[1] + "\n");
            write(dir.resolve("iflink"), i[1] + "\n");
            write(dir.resolve("type"), i[2] + "\n");
            write(dir.resolve("mtu"), i[3] + "\n");
            write(dir.resolve("tx_queue_len"), i[4] + "\n");
            write(dir.resolve("operstate"), "up\n");
            write(dir.resolve("uevent"), "INTERFACE=" + i[0] + "\nIFINDEX=" + i[1] + "\n" + i[5]);
            if (i[0].equals("tun0")) {
                write(dir.resolve("tun_flags"), "0x1001\n");
            }
            int queues = i[0].equals("eth0") ? cpus : 1;
            for (int q = 0; q < queues; q++) {
                write(dir.resolve("queues/rx-" + q + "/rps_cpus"), "0\n");
                write(dir.resolve("queues/rx-" + q + "/rps_flow_cnt"), "0\n");
            }
            for (String stat : new String[] {"rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors",
                    "rx_over_errors", "rx_frame_errors", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
                    "tx_fifo_errors", "tx_carrier_errors"}) {
                write(dir.resolve("statistics").resolve(stat), "12345\n");
            }
        }
        Files.createDirectories(sys.resolve("class/net/eth0/device"));
        write(sys.resolve("devices/system/cpu/online"), "0-" + (cpus - 1) + "\n");
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}

package io.tunnelvision.agent.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A directory tree standing in for a 4-CPU gateway's /sys and /proc, with the files the executor writes laid out
 * as on a real kernel (values as the kernel prints them), so host-wide settings are tested without touching this
 * machine's own.
 */
final class FakeHost {

    final Path root;
    final Path sys;
    final Path proc;

    FakeHost(Path root) {
        this.root = root;
        this.sys = root.resolve("sys");
        this.proc = root.resolve("proc");
        file(sys, "devices/system/cpu/online", "0-3");
        file(sys, "devices/system/cpu/possible", "0-3");
        for (int cpu = 0; cpu < 4; cpu++) {
            file(sys, "devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor", "powersave");
            file(sys, "devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_available_governors",
                    "conservative ondemand userspace powersave performance schedutil");
        }
        for (String dev : new String[] {"tun0", "eth0"}) {
            file(sys, "class/net/" + dev + "/mtu", "1500");
            file(sys, "class/net/" + dev + "/tx_queue_len", dev.equals("tun0") ? "500" : "1000");
            file(sys, "class/net/" + dev + "/queues/rx-0/rps_cpus", "0");
            file(sys, "class/net/" + dev + "/queues/rx-0/rps_flow_cnt", "0");
            file(proc, "sys/net/ipv4/conf/" + dev + "/rp_filter", "0");
        }
        file(proc, "sys/net/ipv4/conf/all/rp_filter", "0");
        file(proc, "sys/net/ipv4/conf/default/rp_filter", "1");
        file(proc, "sys/net/core/netdev_budget", "300");
        file(proc, "sys/net/core/netdev_budget_usecs", "8000");
        file(proc, "sys/net/core/netdev_max_backlog", "1000");
        file(proc, "sys/net/core/rmem_max", "212992");
        file(proc, "sys/net/core/wmem_max", "212992");
        file(proc, "sys/net/core/rps_sock_flow_entries", "0");
        file(proc, "irq/24/smp_affinity_list", "0-3");
        file(proc, "irq/24/smp_affinity", "f");
        // the queue IRQs of a NIC, all on CPU 0 or 0-1, as a driver without a set_irq_affinity script leaves them
        file(proc, "irq/45/smp_affinity_list", "0");
        file(proc, "irq/46/smp_affinity_list", "0-1");
        file(proc, "irq/47/smp_affinity_list", "0");
        // the secret a path trick would aim at
        file(root, "etc/shadow", "root:*:1:0:99999:7:::");
    }

    static void file(Path base, String relative, String content) {
        try {
            Path file = base.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String read(String relativeToRoot) {
        try {
            return Files.readString(root.resolve(relativeToRoot)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under the kernel trees with its content: equal snapshots mean nothing was written. */
    Map<String, String> snapshot() {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).filter(p -> !p.startsWith(root.resolve("state")))
                    .forEach(p -> files.put(root.relativize(p).toString(), read(root.relativize(p).toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}

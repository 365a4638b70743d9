package io.tunnelvision.agent.doctor;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * What the doctor needs about a host that no sample record carries: the CPU sets a mask must fit, the default
 * routes (the underlay of tunnels that route their packets, such as WireGuard and OpenVPN's tun), and a few
 * settings that decide which fix is right.
 *
 * @param onlineCpus {@code /sys/devices/system/cpu/online}: the only CPUs a mask or affinity list should name
 * @param possibleCpus {@code nr_cpu_ids}, one more than the highest id in {@code .../cpu/possible}: how many bits
 *        the kernel prints in {@code rps_cpus} and accepts on write (more words are refused with EOVERFLOW)
 * @param defaultRoutes default routes of the main table, IPv4 ({@code /proc/net/route}) and IPv6
 *        ({@code /proc/net/ipv6_route})
 * @param ipForwarding {@code net.ipv4.ip_forward}, or null when unreadable: whether this host is a gateway
 * @param rmemDefault {@code net.core.rmem_default}, or null: what a socket gets that does not ask for more
 * @param wmemDefault {@code net.core.wmem_default}, or null
 * @param rpsDefaultMask {@code net.core.rps_default_mask} (kernels 6.2+), or null when this kernel lacks it
 * @param irqbalanceRunning whether a process named irqbalance runs: it rewrites IRQ affinities every 10 s
 */
public record HostFacts(BitSet onlineCpus, int possibleCpus, List<DefaultRoute> defaultRoutes, Boolean ipForwarding,
        Long rmemDefault, Long wmemDefault, String rpsDefaultMask, boolean irqbalanceRunning) {

    public HostFacts {
        onlineCpus = (BitSet) Objects.requireNonNull(onlineCpus, "onlineCpus").clone();
        if (onlineCpus.isEmpty()) {
            throw new IllegalArgumentException("A host has at least one online CPU");
        }
        if (possibleCpus < onlineCpus.length()) {
            throw new IllegalArgumentException("possibleCpus " + possibleCpus + " is below the highest online CPU "
                    + (onlineCpus.length() - 1));
        }
        defaultRoutes = List.copyOf(defaultRoutes);
    }

    @Override
    public BitSet onlineCpus() {
        return (BitSet) onlineCpus.clone();
    }

    public int onlineCount() {
        return onlineCpus.cardinality();
    }
}

package io.tunnelvision.lab;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Two gateways as network namespaces of the lab's own ({@code tvlab-<pid>-<run>-a}, {@code -b}, where pid is the
 * test JVM's, so that a cleanup removes only what a dead JVM left), joined by a veth
 * underlay ({@code u0}, MTU 1500, 10.231.0.0/24); a {@link LabTunnel} then adds the tunnel over it
 * (10.232.0.0/24) with its MTU set too large, 1500 over 1500. Both ends of the veth are created inside the
 * namespaces, so no interface of the host is touched; removing the namespaces removes everything.
 */
final class LabNetwork implements AutoCloseable {

    static final String PREFIX = "tvlab-";
    static final int BAD_MTU = 1500;

    /** One gateway: its host id, namespace and addresses. */
    record Gateway(String hostId, String ns, String underlayIp, String overlayIp) {
    }

    /** This JVM's namespaces start with it. */
    static final String OWN_PREFIX = PREFIX + ProcessHandle.current().pid() + "-";

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final Gateway a = new Gateway("gw-a", OWN_PREFIX + run + "-a", "10.231.0.1", "10.232.0.1");
    final Gateway b = new Gateway("gw-b", OWN_PREFIX + run + "-b", "10.231.0.2", "10.232.0.2");
    private final List<String> created = new ArrayList<>();

    /** Fails, never skips, when this machine cannot run the lab: it needs root and iproute2 (tunnels: their tools). */
    static void requireKernelLab() {
        String uid;
        try {
            uid = Shell.run(List.of("id", "-u")).strip();
        } catch (RuntimeException e) {
            throw new AssertionError("the lab needs the id command to check for root: " + e.getMessage(), e);
        }
        if (!uid.equals("0")) {
            throw new AssertionError("the lab creates network namespaces and must run as root (uid " + uid + ")");
        }
        try {
            Shell.run(List.of("ip", "-V"));
        } catch (RuntimeException e) {
            throw new AssertionError("the lab needs iproute2's ip command: " + e.getMessage(), e);
        }
    }

    /**
     * Removes namespaces a crashed earlier run left behind (their JVM is gone), the processes still in them, and the
     * WireGuard sockets of runs that have no live namespace (wireguard-go removes its own when stopped, not when
     * killed). A concurrent run's namespaces and sockets are left alone: their JVM is alive.
     */
    static List<String> removeStale() {
        List<String> removed = new ArrayList<>();
        Set<String> liveRuns = new HashSet<>();
        for (String line : Shell.run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = name.substring(PREFIX.length()).split("-");
            if (parts.length == 3 && ownerAlive(parts[0])) {
                liveRuns.add(parts[1]);
            } else {
                killProcessesIn(name);
                Shell.run(List.of("ip", "netns", "del", name));
                removed.add(name);
            }
        }
        WireGuardTunnel.removeStaleSockets(liveRuns);
        return removed;
    }

    /** Whether the JVM whose pid a namespace name carries still runs (a name without one is an older run's). */
    static boolean ownerAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void killProcessesIn(String ns) {
        try {
            for (String pid : Shell.run(List.of("ip", "netns", "pids", ns)).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (RuntimeException e) {
            // the namespace goes anyway; a process left in it keeps only itself alive
        }
    }

    /** The namespaces and the veth underlay between them; the tunnel is the {@link LabTunnel}'s to add. */
    LabNetwork create() {
        for (Gateway g : List.of(a, b)) {
            Shell.run(List.of("ip", "netns", "add", g.ns()));
            created.add(g.ns());
            ip(g, "link", "set", "lo", "up");
        }
        ip(a, "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", b.ns());
        for (Gateway g : List.of(a, b)) {
            ip(g, "addr", "add", g.underlayIp() + "/24", "dev", "u0");
            ip(g, "link", "set", "u0", "mtu", "1500", "up");
        }
        return this;
    }

    Gateway peer(Gateway g) {
        return g == a ? b : a;
    }

    static String ip(Gateway g, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", g.ns()));
        argv.addAll(List.of(args));
        return Shell.run(argv);
    }

    /** The MTU of an interface in the gateway's namespace, as {@code ip link} shows it. */
    static int mtu(Gateway g, String dev) {
        String[] words = ip(g, "-o", "link", "show", dev).split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("mtu")) {
                return Integer.parseInt(words[i + 1]);
            }
        }
        throw new IllegalStateException("no mtu in ip link show " + dev);
    }

    /** A file as the gateway sees it ({@code ip netns exec} gives the namespace its own /sys and /proc/net). */
    static String cat(Gateway g, String path) {
        return Shell.run(List.of("ip", "netns", "exec", g.ns(), "cat", path));
    }

    /**
     * The Ip counters of the gateway's {@code /proc/net/snmp}, and the packet counters of {@code u0} and of the
     * tunnel, the latter under {@code tunnel.tx_packets} and {@code tunnel.rx_packets}.
     */
    static Map<String, Long> counters(Gateway g, String tunnel) {
        Map<String, Long> ip = Snmp.ipCounters(cat(g, "/proc/net/snmp"));
        Map<String, Long> all = new HashMap<>(ip);
        for (String dev : List.of("u0", tunnel)) {
            String key = dev.equals("u0") ? dev : "tunnel";
            all.put(key + ".tx_packets", Long.parseLong(cat(g, "/sys/class/net/" + dev + "/statistics/tx_packets")
                    .strip()));
            all.put(key + ".rx_packets", Long.parseLong(cat(g, "/sys/class/net/" + dev + "/statistics/rx_packets")
                    .strip()));
        }
        return all;
    }

    @Override
    public void close() {
        for (String ns : created) {
            try {
                killProcessesIn(ns);
                Shell.run(List.of("ip", "netns", "del", ns));
            } catch (RuntimeException e) {
                System.err.println("could not remove namespace " + ns + ": " + e.getMessage());
            }
        }
        created.clear();
    }
}

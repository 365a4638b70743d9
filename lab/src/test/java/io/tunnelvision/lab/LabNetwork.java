package io.tunnelvision.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Two gateways as network namespaces of the lab's own ({@code tvlab-<run>-a}, {@code -b}), joined by a veth
 * underlay ({@code u0}, MTU 1500, 10.231.0.0/24) with a VXLAN tunnel over it ({@code vx0}, 10.232.0.0/24) whose
 * MTU is set too large: 1500 over 1500. Both ends of the veth are created inside the namespaces, so no interface
 * of the host is touched; removing the namespaces removes everything.
 */
final class LabNetwork implements AutoCloseable {

    static final String PREFIX = "tvlab-";
    static final int BAD_MTU = 1500;
    static final int RIGHT_MTU = 1450;

    /** One gateway: its host id, namespace and addresses. */
    record Gateway(String hostId, String ns, String underlayIp, String overlayIp) {
    }

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final Gateway a = new Gateway("gw-a", PREFIX + run + "-a", "10.231.0.1", "10.232.0.1");
    final Gateway b = new Gateway("gw-b", PREFIX + run + "-b", "10.231.0.2", "10.232.0.2");
    private final List<String> created = new ArrayList<>();

    /** Fails, never skips, when this machine cannot run the lab: it needs root, iproute2 and vxlan. */
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

    /** Removes namespaces a crashed earlier run left behind, and the processes still in them. */
    static List<String> removeStale() {
        List<String> removed = new ArrayList<>();
        for (String line : Shell.run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(PREFIX)) {
                killProcessesIn(name);
                Shell.run(List.of("ip", "netns", "del", name));
                removed.add(name);
            }
        }
        return removed;
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

    LabNetwork create() {
        for (Gateway g : List.of(a, b)) {
            Shell.run(List.of("ip", "netns", "add", g.ns()));
            created.add(g.ns());
            ip(g, "link", "set", "lo", "up");
        }
        ip(a, "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", b.ns());
        for (Gateway g : List.of(a, b)) {
            Gateway peer = g == a ? b : a;
            ip(g, "addr", "add", g.underlayIp() + "/24", "dev", "u0");
            // The kernel refuses a vxlan MTU above its link's less the overhead; to build the broken tunnel the
            // link is made bigger for a moment, the tunnel set to 1500, and the link put back to 1500.
            ip(g, "link", "set", "u0", "mtu", "1550", "up");
            try {
                ip(g, "link", "add", "vx0", "type", "vxlan", "id", "42", "local", g.underlayIp(), "remote",
                        peer.underlayIp(), "dstport", "4789", "dev", "u0");
            } catch (IllegalStateException e) {
                throw new AssertionError("this kernel cannot create a vxlan interface, which the lab needs: "
                        + e.getMessage(), e);
            }
            ip(g, "link", "set", "vx0", "mtu", Integer.toString(BAD_MTU));
            ip(g, "link", "set", "u0", "mtu", "1500");
            ip(g, "addr", "add", g.overlayIp() + "/24", "dev", "vx0");
            ip(g, "link", "set", "vx0", "up");
        }
        return this;
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

    /** The Ip counters of the gateway's {@code /proc/net/snmp}, and an interface's packet counters. */
    static Map<String, Long> counters(Gateway g) {
        Map<String, Long> ip = Snmp.ipCounters(cat(g, "/proc/net/snmp"));
        Map<String, Long> all = new java.util.HashMap<>(ip);
        for (String dev : List.of("u0", "vx0")) {
            all.put(dev + ".tx_packets", Long.parseLong(cat(g, "/sys/class/net/" + dev + "/statistics/tx_packets").strip()));
            all.put(dev + ".rx_packets", Long.parseLong(cat(g, "/sys/class/net/" + dev + "/statistics/rx_packets").strip()));
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

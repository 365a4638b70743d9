package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.InterfaceKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The underlay of tunnels that route their outer packets (WireGuard, OpenVPN's tun and tap), for which sysfs has
 * no link: the interface of the route the kernel would take to the tunnel's peer, else of the default route.
 *
 * <ul>
 *   <li>WireGuard: the peers' endpoints from {@code wg show all endpoints}. The collector shells out here only
 *       because no file holds them (kernel WireGuard answers on generic netlink, wireguard-go on a Unix socket,
 *       both spoken by {@code wg}); without wireguard-tools it is a debug line and the default route.</li>
 *   <li>A tun or tap held by a process (OpenVPN, or any other userspace tunnel): the process is found by the
 *       {@code iff:} line that the tun driver prints in the {@code fdinfo} of its {@code /dev/net/tun}
 *       descriptor, in this network namespace only. Its peer is, in order: the remote of a connected UDP socket
 *       of that process in {@code /proc/net/udp[6]} (OpenVPN 2.6 does not connect its socket, other daemons do);
 *       OpenVPN's {@code --remote} on its command line; the first {@code remote} of the configuration file its
 *       command line names. Only literal addresses: a host name would need a resolver, and a collector must not
 *       wait on DNS. Reading another process's descriptors needs the agent to run as root (or CAP_SYS_PTRACE);
 *       without it, the default route.</li>
 * </ul>
 *
 * <p>Costs a scan of every process's descriptors and a {@code wg} run, so the collector asks only when it reads
 * the settings ({@link SettingsRefresh}), never every round. The route files are streamed and only the routes
 * that matter kept, so a full BGP table in {@code /proc/net/route} costs time but not memory.
 *
 * <p>{@code wg} and {@code /run/wireguard} speak of the live host; with another proc root (tests, simulated
 * gateways) they are not used, while routes and processes are read from that root.
 */
public final class RoutedUnderlays {

    private static final Logger LOG = LoggerFactory.getLogger(RoutedUnderlays.class);
    private static final Path LIVE_PROC = Path.of("/proc");

    private final Path procRoot;
    private final Path wireGuardSockets;
    private final Function<List<String>, String> commands;

    /**
     * @param procRoot where {@code net/route}, {@code net/ipv6_route} and the processes are read; null reads none
     * @param wireGuardSockets the directory of wireguard-go's UAPI sockets, or null
     * @param commands runs a command and answers its output, or null when it cannot be run; null runs none
     */
    RoutedUnderlays(Path procRoot, Path wireGuardSockets, Function<List<String>, String> commands) {
        this.procRoot = procRoot;
        this.wireGuardSockets = wireGuardSockets;
        this.commands = commands;
    }

    /** No routed underlays: the collector reports only what sysfs tells. */
    public static RoutedUnderlays none() {
        return new RoutedUnderlays(null, null, null);
    }

    /** Routes and processes of {@code procRoot}; {@code wg} and {@code /run/wireguard} only if it is {@code /proc}. */
    public static RoutedUnderlays of(Path procRoot) {
        boolean live = procRoot.toAbsolutePath().normalize().equals(LIVE_PROC);
        return new RoutedUnderlays(procRoot, live ? Path.of("/run/wireguard") : null,
                live ? ToolRun::run : null);
    }

    /** Whether a tun is a userspace WireGuard (wireguard-go, boringtun): it has a UAPI socket of its name. */
    public boolean userspaceWireGuard(String name) {
        return wireGuardSockets != null && Files.exists(wireGuardSockets.resolve(name + ".sock"));
    }

    /**
     * The underlay of each routed tunnel that has one.
     *
     * @param tunnels the tunnels without a kernel link, by name
     * @param mtus every interface's MTU: of several peers' routes, the one with the smallest MTU is the underlay
     */
    public Map<String, String> underlays(Map<String, InterfaceKind> tunnels, Map<String, Integer> mtus) {
        Map<String, String> underlays = new HashMap<>();
        if (procRoot == null || tunnels.isEmpty()) {
            return underlays;
        }
        Map<String, List<InetAddress>> peers = new HashMap<>();
        if (tunnels.containsValue(InterfaceKind.WIREGUARD)) {
            peers.putAll(WgShow.endpoints(wg()));
        }
        List<String> tuns = tunnels.entrySet().stream()
                .filter(e -> e.getValue() == InterfaceKind.TUN || e.getValue() == InterfaceKind.TAP)
                .map(Map.Entry::getKey).toList();
        if (!tuns.isEmpty()) {
            peers.putAll(tunPeers(Set.copyOf(tuns)));
        }
        List<InetAddress> wanted = peers.values().stream().flatMap(List::stream).toList();
        List<Route> routes = new ArrayList<>(routes("net/route", wanted, false));
        routes.addAll(routes("net/ipv6_route", wanted, true));
        for (String tunnel : tunnels.keySet()) {
            String best = null;
            for (InetAddress peer : peers.getOrDefault(tunnel, List.of())) {
                String via = RouteTable.lookup(routes, peer, tunnel).map(Route::iface).orElse(null);
                if (via != null && (best == null || mtus.getOrDefault(via, Integer.MAX_VALUE)
                        < mtus.getOrDefault(best, Integer.MAX_VALUE))) {
                    best = via;
                }
            }
            if (best == null) {
                best = RouteTable.defaults(routes).stream().map(Route::iface)
                        .filter(i -> !i.equals(tunnel) && !i.equals("lo")).findFirst().orElse(null);
            }
            if (best != null) {
                underlays.put(tunnel, best);
            }
        }
        return underlays;
    }

    private String wg() {
        if (commands == null) {
            return null;
        }
        String out = commands.apply(List.of("wg", "show", "all", "endpoints"));
        if (out == null) {
            LOG.debug("wg show all endpoints gave nothing (wireguard-tools not installed?): WireGuard tunnels take "
                    + "the default route's interface as their underlay");
        }
        return out;
    }

    /** The routes of one file that cover a wanted address, and the default routes; none if it cannot be read. */
    private List<Route> routes(String file, List<InetAddress> wanted, boolean ipv6) {
        Path path = procRoot.resolve(file);
        try (Stream<String> lines = Files.lines(path, StandardCharsets.US_ASCII)) {
            return lines.map(ipv6 ? RouteTable::ipv6Line : RouteTable::ipv4Line)
                    .filter(r -> r != null && (r.isDefault() || wanted.stream().anyMatch(r::covers)))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("Cannot read {}: {}", path, e.getMessage());
            return List.of();
        }
    }

    /** The peer of each wanted tun, from the process that holds it (see the class comment). */
    private Map<String, List<InetAddress>> tunPeers(Set<String> wanted) {
        Map<String, List<InetAddress>> peers = new HashMap<>();
        String ownNetns = link(procRoot.resolve("self/ns/net"));
        Map<Long, InetAddress> connected = null;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(procRoot, p -> isPid(p.getFileName()))) {
            for (Path process : processes) {
                if (ownNetns != null && !ownNetns.equals(link(process.resolve("ns/net")))) {
                    continue;
                }
                List<String> fds = links(process.resolve("fd"));
                for (String fd : fds) {
                    if (!fd.endsWith("\0/dev/net/tun")) {
                        continue;
                    }
                    String name = OpenVpnParse.tunInterface(text(process.resolve("fdinfo")
                            .resolve(fd.substring(0, fd.indexOf('\0')))));
                    if (name != null && wanted.contains(name) && !peers.containsKey(name)) {
                        if (connected == null) {
                            connected = new HashMap<>(OpenVpnParse.connectedPeers(text(procRoot.resolve("net/udp"))));
                            connected.putAll(OpenVpnParse.connectedPeers(text(procRoot.resolve("net/udp6"))));
                        }
                        peers.put(name, peersOf(process, fds, connected));
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("Cannot list {}: {}", procRoot, e.getMessage());
        }
        return peers;
    }

    private List<InetAddress> peersOf(Path process, List<String> fds, Map<Long, InetAddress> connected) {
        List<InetAddress> peers = new ArrayList<>();
        for (String fd : fds) {
            InetAddress peer = connected.get(OpenVpnParse.socketInode(fd.substring(fd.indexOf('\0') + 1)));
            if (peer != null) {
                peers.add(peer);
            }
        }
        if (!peers.isEmpty()) {
            return peers;
        }
        String cmdline = text(process.resolve("cmdline"));
        List<String> argv = cmdline == null ? List.of() : Arrays.asList(cmdline.split("\0"));
        peers.addAll(OpenVpnParse.commandLineRemotes(argv));
        String config = OpenVpnParse.configFile(argv);
        if (peers.isEmpty() && config != null) {
            // a relative name is relative to the daemon's working directory (--cd), which its cwd link shows
            peers.addAll(OpenVpnParse.configRemotes(text(process.resolve("cwd").resolve(config))));
        }
        return peers;
    }

    /** Each entry of an fd directory as {@code <fd>\0<link target>}; none if it cannot be read. */
    private static List<String> links(Path dir) {
        List<String> links = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String target = link(entry);
                if (target != null) {
                    links.add(entry.getFileName() + "\0" + target);
                }
            }
        } catch (IOException e) {
            // gone, or another user's process without the right to look
        }
        return links;
    }

    private static String link(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static String text(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isPid(Path name) {
        String s = name.toString();
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}

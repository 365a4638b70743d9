package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.ToolRun;
import io.tunnelvision.agent.collect.WgDump;
import io.tunnelvision.agent.collect.WireguardCollector;
import io.tunnelvision.lab.LabNetwork.Gateway;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.WireguardInterface;
import io.tunnelvision.schemas.avro.WireguardPeer;
import io.tunnelvision.schemas.avro.WireguardSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The wireguard collector on a real WireGuard tunnel: two gateways (network namespaces) joined by a veth, a
 * wireguard-go tunnel between them ({@link WireGuardTunnel}, one peer each way), the real
 * {@link WireguardCollector} of each gateway reading its namespace's sysfs and running {@code wg show all dump}
 * inside its namespace. Traffic through the tunnel gives both peers a fresh handshake and rising transfer
 * counters; then gateway b's end of the veth goes down while a keeps sending through the tunnel: a's peer sends
 * more and more and hears nothing, and its handshake gets no newer. No broker: the collector alone.
 *
 * <p>Each gateway's collector reads {@code /proc/<pid>/root/sys} of a process started in its namespace with
 * {@code ip netns exec}, which mounts a sysfs of that namespace for the process: so the collector sees the
 * namespace's interfaces as the agent in it would. {@code /run/wireguard} is shared by the namespaces, so
 * {@code wg} in either namespace lists both tunnels; the collector must keep only its own.
 */
class WireguardPeersLabIT {

    private static final int PORT = 51820;
    /** Bytes of each datagram sent through the tunnel. */
    private static final int DATAGRAM = 1000;

    @Test
    void peersShowHandshakesAndTrafficAndAPeerThatWentAwayStopsAnswering() throws Exception {
        long t0 = System.nanoTime();
        LabNetwork.requireKernelLab();
        WireGuardTunnel tunnel = new WireGuardTunnel();
        tunnel.requireTools();
        LabTunnel.requireCommand("WireGuard peers", List.of("bash", "--version"), "bash");
        Path runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath()
                .resolve("wg-peers-" + Long.toHexString(System.nanoTime())));

        try (Cleanup cleanup = new Cleanup()) {
            LabNetwork net = cleanup.add(new LabNetwork());
            // sockets of this run's devices, should a wireguard-go be killed before it removes its own
            cleanup.add(() -> {
                for (Gateway g : List.of(net.a, net.b)) {
                    Files.deleteIfExists(WireGuardTunnel.SOCKETS.resolve(tunnel.device(net, g) + ".sock"));
                }
            });
            net.create();
            LabProcesses processes = cleanup.add(new LabProcesses());
            tunnel.create(net, processes, runDir);
            String devA = tunnel.device(net, net.a);
            String devB = tunnel.device(net, net.b);
            Gatherer a = new Gatherer(net.a, namespaceSysfs(processes, net.a, runDir));
            Gatherer b = new Gatherer(net.b, namespaceSysfs(processes, net.b, runDir));

            // Before any traffic: both peers configured, no handshake yet.
            WireguardPeer first = a.onlyPeer(devA);
            assertEquals(net.b.underlayIp() + ":" + PORT, first.getEndpoint());
            assertEquals(1, first.getAllowedIps(), "allowed-ips " + net.b.overlayIp() + "/32");
            assertEquals(null, first.getPersistentKeepaliveS(), "no keepalive set");
            assertEquals(null, first.getLatestHandshakeMs(), "no handshake before any traffic");
            assertTrue(a.rawInterfaces.contains(devB), "wg in a's namespace lists b's wireguard-go too ("
                    + a.rawInterfaces + "), which the collector must leave out");

            // Traffic through the tunnel: a handshake, and bytes both ways (b's kernel answers each datagram to
            // the discard port with an ICMP port unreachable, rate-limited, through the tunnel).
            long sentAtMs = System.currentTimeMillis();
            send(net.a, net.b, 20);
            WireguardPeer aToB = a.awaitPeer(devA, p -> p.getLatestHandshakeMs() != null && p.getRxBytes() > 0);
            WireguardPeer bToA = b.awaitPeer(devB, p -> p.getLatestHandshakeMs() != null);
            long nowMs = System.currentTimeMillis();
            for (WireguardPeer p : List.of(aToB, bToA)) {
                // wg prints whole seconds
                assertTrue(p.getLatestHandshakeMs() >= sentAtMs - 1_000 && p.getLatestHandshakeMs() <= nowMs + 1_000,
                        "handshake at " + p.getLatestHandshakeMs() + ", traffic from " + sentAtMs + " to " + nowMs);
                assertTrue(p.getRxBytes() > 0 && p.getTxBytes() > 0, "bytes both ways: " + p);
            }
            assertEquals(net.a.underlayIp() + ":" + PORT, bToA.getEndpoint(), "b learned a's endpoint");
            assertEquals(a.publicKey(devA), bToA.getPublicKey(), "b's peer is a's interface");
            assertEquals(b.publicKey(devB), aToB.getPublicKey(), "a's peer is b's interface");
            assertEquals(PORT, a.sample().getInterfaces().get(0).getListenPort());

            // More traffic: both counters of a's peer rise, tx by at least what was sent.
            send(net.a, net.b, 50);
            WireguardPeer more = a.awaitPeer(devA, p -> p.getTxBytes() >= aToB.getTxBytes() + 50L * DATAGRAM
                    && p.getRxBytes() > aToB.getRxBytes());
            assertEquals(aToB.getLatestHandshakeMs(), more.getLatestHandshakeMs(), "one session, one handshake");

            // b goes away (its end of the veth down) while a keeps sending through the tunnel.
            LabNetwork.ip(net.b, "link", "set", "u0", "down");
            Thread.sleep(300); // what was in flight has arrived
            WireguardPeer cut = a.onlyPeer(devA);
            long cutAtMs = System.currentTimeMillis();
            for (int burst = 0; burst < 3; burst++) {
                send(net.a, net.b, 30);
                Thread.sleep(500);
            }
            WireguardPeer gone = a.onlyPeer(devA);
            assertTrue(gone.getTxBytes() >= cut.getTxBytes() + 90L * DATAGRAM, "a still sends to b: tx "
                    + cut.getTxBytes() + " -> " + gone.getTxBytes());
            assertEquals(cut.getRxBytes(), gone.getRxBytes(), "nothing comes back from b");
            assertEquals(cut.getLatestHandshakeMs(), gone.getLatestHandshakeMs(), "no newer handshake");
            assertTrue(gone.getLatestHandshakeMs() < cutAtMs, "the last handshake is from before b went away");

            System.out.printf("WireguardPeersLabIT: %d collections, wg show all dump in a namespace %.1f ms on "
                    + "average (max %.1f ms), collect %.1f ms on average; a->b before the cut rx %d tx %d, after "
                    + "rx %d tx %d; test %.1f s%n", a.runs.get() + b.runs.get(),
                    (a.wgNanos.get() + b.wgNanos.get()) / 1e6 / (a.runs.get() + b.runs.get()),
                    Math.max(a.wgMaxNanos.get(), b.wgMaxNanos.get()) / 1e6,
                    (a.collectNanos.get() + b.collectNanos.get()) / 1e6 / (a.runs.get() + b.runs.get()),
                    cut.getRxBytes(), cut.getTxBytes(), gone.getRxBytes(), gone.getTxBytes(),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * What the agent's systemd unit allows: {@code wg show all dump} run as an unprivileged user with exactly the
     * unit's ambient capabilities (read from the unit file) and {@code /run/wireguard} read-only (the unit's
     * ProtectSystem=strict), as the agent would run it, reads wireguard-go's UAPI socket (root's, mode 0700):
     * CAP_DAC_OVERRIDE opens it. With CAP_NET_ADMIN alone the socket refuses, and the collector says the source is
     * unavailable instead of failing. Kernel WireGuard (generic netlink, CAP_NET_ADMIN) cannot be tried here: this
     * kernel has no wireguard module.
     */
    @Test
    void theAgentsUnitCapabilitiesAreEnoughToReadWireguardGoAndNetAdminAloneIsNot() throws Exception {
        LabNetwork.requireKernelLab();
        WireGuardTunnel tunnel = new WireGuardTunnel();
        tunnel.requireTools();
        LabTunnel.requireCommand("WireGuard peers", List.of("setpriv", "--version"), "util-linux");
        Path unit = Path.of("..", "agent", "src", "main", "dist", "systemd", "tunnelvision-agent.service");
        List<String> unitCaps = Files.readAllLines(unit).stream().filter(l -> l.startsWith("AmbientCapabilities="))
                .flatMap(l -> List.of(l.substring(l.indexOf('=') + 1).trim().split("\\s+")).stream()).toList();
        assertTrue(unitCaps.contains("CAP_NET_ADMIN") && unitCaps.contains("CAP_DAC_OVERRIDE"),
                "the unit's ambient capabilities: " + unitCaps);
        Path runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath()
                .resolve("wg-unit-" + Long.toHexString(System.nanoTime())));

        try (Cleanup cleanup = new Cleanup()) {
            LabNetwork net = cleanup.add(new LabNetwork());
            cleanup.add(() -> {
                for (Gateway g : List.of(net.a, net.b)) {
                    Files.deleteIfExists(WireGuardTunnel.SOCKETS.resolve(tunnel.device(net, g) + ".sock"));
                }
            });
            net.create();
            LabProcesses processes = cleanup.add(new LabProcesses());
            tunnel.create(net, processes, runDir);
            Path sys = namespaceSysfs(processes, net.a, runDir);

            WireguardCollector confined = new WireguardCollector(sys, WireGuardTunnel.SOCKETS,
                    command -> ToolRun.run(asUnprivileged(net.a, unitCaps, command)));
            WireguardSample sample = confined.collect(new SampleHeader("lab", "boot", 0L, 0L, "lab"));
            assertEquals(0, confined.unavailableRounds(), "wg as the unit's user did not work");
            assertEquals(List.of(tunnel.device(net, net.a)),
                    sample.getInterfaces().stream().map(WireguardInterface::getName).toList());
            assertEquals(net.b.underlayIp() + ":" + PORT,
                    sample.getInterfaces().get(0).getPeers().get(0).getEndpoint());

            WireguardCollector netAdminOnly = new WireguardCollector(sys, WireGuardTunnel.SOCKETS,
                    command -> ToolRun.run(asUnprivileged(net.a, List.of("CAP_NET_ADMIN"), command)));
            assertEquals(List.of(), netAdminOnly.collect(new SampleHeader("lab", "boot", 1L, 0L, "lab"))
                    .getInterfaces());
            assertEquals(1, netAdminOnly.unavailableRounds(), "without CAP_DAC_OVERRIDE the socket refuses");
        }
    }

    /**
     * {@code command} in {@code g}'s namespace as user nobody with exactly {@code caps}, no new privileges, and
     * {@code /run/wireguard} mounted read-only in a mount namespace of its own.
     */
    private static List<String> asUnprivileged(Gateway g, List<String> caps, List<String> command) {
        String set = caps.stream().map(c -> "+" + c.toLowerCase(java.util.Locale.ROOT).replaceFirst("^cap_", ""))
                .collect(java.util.stream.Collectors.joining(","));
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", g.ns(), "unshare", "--mount",
                "--propagation", "private", "sh", "-c", "mount --bind -o ro " + WireGuardTunnel.SOCKETS + " "
                        + WireGuardTunnel.SOCKETS + " && exec \"$@\"", "sh",
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all," + set,
                "--ambient-caps=-all," + set, "--bounding-set=-all," + set, "--no-new-privs"));
        argv.addAll(command);
        return argv;
    }

    /**
     * The sysfs of {@code g}'s namespace as seen from here: {@code /proc/<pid>/root/sys} of a {@code sleep} started
     * with {@code ip netns exec}, once it runs. Before its exec, {@code ip} is still swapping the host's sysfs for
     * the namespace's, and {@code sys/class/net} may be missing.
     */
    private static Path namespaceSysfs(LabProcesses processes, Gateway g, Path runDir) throws Exception {
        Process p = processes.startTool(g.ns(), List.of("sleep", "300"), runDir.resolve(g.hostId() + "-sleep.log"));
        Path proc = Path.of("/proc", Long.toString(p.pid()));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.readString(proc.resolve("comm")).strip().equals("sleep")) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "ip netns exec " + g.ns() + " sleep never ran");
            Thread.sleep(10);
        }
        Path sys = proc.resolve("root").resolve("sys");
        assertTrue(Files.isDirectory(sys.resolve("class/net/u0")), sys + " is not the namespace's sysfs");
        return sys;
    }

    /** {@code count} datagrams of {@link #DATAGRAM} bytes from {@code from} to {@code to}'s tunnel address. */
    private static void send(Gateway from, Gateway to, int count) {
        Shell.run(List.of("ip", "netns", "exec", from.ns(), "bash", "-c",
                "payload=$(head -c " + DATAGRAM + " /dev/zero | tr '\\0' x); for i in $(seq " + count + "); do "
                        + "printf %s \"$payload\" > /dev/udp/" + to.overlayIp() + "/9; done"));
    }

    /** One gateway's collector, with {@code wg} run in its namespace and its timing kept. */
    private static final class Gatherer {

        private final WireguardCollector collector;
        private final AtomicLong runs = new AtomicLong();
        private final AtomicLong wgNanos = new AtomicLong();
        private final AtomicLong wgMaxNanos = new AtomicLong();
        private final AtomicLong collectNanos = new AtomicLong();
        private long sequence;
        /** The interfaces of the latest raw dump, before the collector kept its namespace's own. */
        private List<String> rawInterfaces = List.of();

        Gatherer(Gateway g, Path sys) {
            Function<List<String>, String> inNs = command -> {
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", g.ns()));
                argv.addAll(command);
                long start = System.nanoTime();
                String out = ToolRun.run(argv);
                long took = System.nanoTime() - start;
                wgNanos.addAndGet(took);
                wgMaxNanos.accumulateAndGet(took, Math::max);
                rawInterfaces = WgDump.parse(out).interfaces().stream().map(WireguardInterface::getName).toList();
                return out;
            };
            collector = new WireguardCollector(sys, WireGuardTunnel.SOCKETS, inNs);
        }

        WireguardSample sample() throws Exception {
            long start = System.nanoTime();
            WireguardSample s = collector.collect(new SampleHeader("lab", "boot", sequence++,
                    System.currentTimeMillis(), "lab"));
            collectNanos.addAndGet(System.nanoTime() - start);
            runs.incrementAndGet();
            assertEquals(0, collector.unavailableRounds(), "wg show all dump worked every time");
            assertEquals(0, collector.malformedLines(), "wg's output parsed whole");
            return s;
        }

        /** The one peer of the one interface this gateway has, which must be {@code dev}. */
        WireguardPeer onlyPeer(String dev) throws Exception {
            WireguardSample s = sample();
            assertEquals(List.of(dev), s.getInterfaces().stream().map(WireguardInterface::getName).toList(),
                    "only this namespace's tunnel");
            assertEquals(1, s.getInterfaces().get(0).getPeers().size(), "one peer: " + s);
            return s.getInterfaces().get(0).getPeers().get(0);
        }

        String publicKey(String dev) throws Exception {
            String key = sample().getInterfaces().get(0).getPublicKey();
            assertEquals(44, key.length(), "a base64 public key");
            return key;
        }

        /** The peer once it satisfies {@code until}, asked every 100 ms for at most 10 s. */
        WireguardPeer awaitPeer(String dev, java.util.function.Predicate<WireguardPeer> until) throws Exception {
            long deadline = System.nanoTime() + 10_000_000_000L;
            WireguardPeer p = onlyPeer(dev);
            while (!until.test(p)) {
                assertTrue(System.nanoTime() < deadline, "in 10 s the peer never got there: " + p);
                Thread.sleep(100);
                p = onlyPeer(dev);
            }
            assertNotNull(p);
            return p;
        }
    }
}

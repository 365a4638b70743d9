package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.agent.apply.ApplyBounds;
import io.tunnelvision.agent.apply.CommandExecutor;
import io.tunnelvision.agent.apply.ExecutorSettings;
import io.tunnelvision.agent.collect.PmtuCollector;
import io.tunnelvision.agent.collect.PmtuSchedule;
import io.tunnelvision.agent.collect.ToolRun;
import io.tunnelvision.agent.collect.WireguardCollector;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.PmtuBlackholeDetector;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.plan.Commands;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.PmtuPath;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.schemas.sign.TrustedKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A path-MTU black hole on real interfaces: gateways a and b (network namespaces) with a wireguard-go tunnel
 * (MTU 1420) between them across a router r (a third namespace, IPv4 forwarding), whose link towards b has MTU 1400.
 * r drops the ICMP "fragmentation needed" (type 3 code 4) it sends back towards a: this kernel has no tc drop
 * action and no nftables/iptables, so an htb root qdisc on r's link to a steers them (u32: IPv4 without options,
 * protocol 1, type and code at bytes 20 and 21) into a class whose {@code pfifo limit 0} drops every packet.
 *
 * <p>a's real {@link PmtuCollector} probes through the tunnel with {@code ping -M do} in a's namespace and must find
 * the exact size: WireGuard adds 60 bytes over IPv4 and pads its payload to 16 bytes, so an inner packet of 1328
 * bytes becomes 1388 and passes, one of 1329 becomes 1404 and is dropped. The rules call it PMTU_BLACKHOLE and
 * recommend 1320; a's real executor applies that signed MTU command to the tunnel (compare-and-set on 1420),
 * after which probes of the tunnel's new MTU pass; a command that expects the old MTU is refused; the rollback
 * restores 1420. The control run lets r's ICMP through: the kernel records the reported MTU (1400) for b's
 * endpoint, and the rules see path-MTU discovery working, not a black hole.
 */
class PmtuBlackholeLabIT {

    private static final String PREFIX = "tvpmtu-";
    private static final int PORT = 51820;
    private static final int ROUTER_MTU = 1400;
    private static final int TUNNEL_MTU = 1420;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String nsA = PREFIX + run + "-a";
    private final String nsR = PREFIX + run + "-r";
    private final String nsB = PREFIX + run + "-b";
    private final String devA = "tvpm" + run + "a";
    private final String devB = "tvpm" + run + "b";

    @Test
    void aBlackHoleIsMeasuredToTheByteDetectedRemediedAndRolledBackAndReportedIcmpIsNoBlackHole() throws Exception {
        long t0 = System.nanoTime();
        LabNetwork.requireKernelLab();
        new WireGuardTunnel().requireTools();
        try {
            Shell.run(List.of("ping", "-V"));
        } catch (RuntimeException e) {
            throw new AssertionError("the PMTU black-hole lab needs iputils' ping (the agent's prober runs it): "
                    + "./tunnelvision test installs it (test-tools.sh, Debian iputils-ping): " + e.getMessage(), e);
        }
        LabTunnel.requireCommand("PMTU black hole", List.of("tc", "-V"), "iproute2");
        Path runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath().resolve("pmtu-" + run));

        try (Cleanup cleanup = new Cleanup()) {
            cleanup.add(() -> {
                for (String ns : List.of(nsA, nsR, nsB)) {
                    try {
                        for (String pid : Shell.run(List.of("ip", "netns", "pids", ns)).split("\\s+")) {
                            if (!pid.isBlank()) {
                                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                            }
                        }
                        Shell.run(List.of("ip", "netns", "del", ns));
                    } catch (RuntimeException e) {
                        System.err.println("could not remove namespace " + ns + ": " + e.getMessage());
                    }
                }
                for (String dev : List.of(devA, devB)) {
                    Files.deleteIfExists(WireGuardTunnel.SOCKETS.resolve(dev + ".sock"));
                }
            });
            LabProcesses processes = cleanup.add(new LabProcesses());
            network(processes, runDir);
            Path sysA = namespaceSysfs(processes, runDir);
            Function<List<String>, String> inA = command -> {
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", nsA));
                argv.addAll(command);
                return ToolRun.run(argv);
            };
            PmtuCollector collector = new PmtuCollector(sysA, WireGuardTunnel.SOCKETS, inA, PmtuSchedule.inline());
            PmtuBlackholeDetector detector = new PmtuBlackholeDetector(DetectionThresholds.defaults());
            assertTrue(ping(1000), "the tunnel carries small packets (handshake done)");

            // Black hole: r drops its own ICMP fragmentation-needed towards a.
            dropFragmentationNeeded();
            long probeStart = System.nanoTime();
            PmtuPath hole = onlyPath(collector.collect(header(1)));
            double probeSeconds = (System.nanoTime() - probeStart) / 1e9;
            assertEquals(TUNNEL_MTU, hole.getTunnelMtu());
            assertEquals(1328, hole.getLargestPassedBytes(), "1328 + 60 = 1388 fits r's 1400: " + hole);
            assertEquals(1329, hole.getSmallestFailedBytes(), "1329 pads to 1344, + 60 = 1404: " + hole);
            assertNull(hole.getReportedMtu(), "no ICMP came back, so the kernel has no route exception");
            assertTrue(droppedIcmp() > 0, "r's pfifo limit 0 dropped its fragmentation-needed messages");
            Finding found = detector.evaluate(new PmtuSample(header(1), List.of(hole))).get(0);
            assertEquals(HotspotType.PMTU_BLACKHOLE, found.type());
            assertTrue(found.bad(), found.toString());
            assertEquals(devA, found.target());
            assertEquals(1320.0, found.evidence().get("recommendedMtu"), "1328 less the 8-byte margin");

            // The agent's own collect --once --json in a shows both new sources: the WireGuard peer and its path
            JsonNode once = new ObjectMapper().readTree(processes.agentJson(nsA, List.of("collect", "--once",
                    "--json"), Map.of(), runDir.resolve("collect-once.log"), 0, 120));
            JsonNode wgInterfaces = once.path(WireguardCollector.NAME).path("interfaces");
            assertEquals(1, wgInterfaces.size(), "a's one WireGuard interface: " + once.path(WireguardCollector.NAME));
            assertEquals(devA, wgInterfaces.get(0).path("name").asText(), wgInterfaces.toString());
            assertEquals(1, wgInterfaces.get(0).path("peers").size(), "b, a's one peer: " + wgInterfaces);
            JsonNode paths = once.path(PmtuCollector.NAME).path("paths");
            assertEquals(1, paths.size(), "the path to b: " + once.path(PmtuCollector.NAME));
            assertEquals(1328, unwrapped(paths.get(0).path("largestPassedBytes")).asInt(), paths.toString());
            assertEquals(1329, unwrapped(paths.get(0).path("smallestFailedBytes")).asInt(), paths.toString());

            // The remedy, through a's real executor: signed, compare-and-set on the tunnel's MTU.
            Path keys = Files.createDirectories(runDir.resolve("keys"));
            Ed25519Keys.KeyFiles key = Ed25519Keys.write(Ed25519Keys.generate(), keys, "planner");
            CommandSigner signer = CommandSigner.fromFile(key.privateKey());
            CommandExecutor executor = new CommandExecutor(ExecutorSettings.of("gw-a", sysA, Path.of("/proc"),
                    Files.createDirectories(runDir.resolve("state")), ExecutorSettings.allActions(),
                    ApplyBounds.standard(), false), TrustedKeys.fromFiles(List.of(key.publicKey())),
                    Clock.systemUTC());
            int recommended = found.evidence().get("recommendedMtu").intValue();
            TuningCommand apply = command(signer, 1, new Change(TuningAction.MTU, devA, Integer.toString(TUNNEL_MTU),
                    Integer.toString(recommended)), null);
            CommandResult applied = executor.handle(apply);
            assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.toString());
            assertEquals(recommended, LabNetwork.mtu(gateway(nsA), devA));
            assertTrue(ping(recommended), "a packet of the new MTU passes the tunnel");
            PmtuPath fixed = onlyPath(collector.collect(header(2)));
            assertEquals(recommended, fixed.getTunnelMtu());
            assertEquals(recommended, fixed.getLargestPassedBytes(), "the ladder's top passes: " + fixed);
            assertNull(fixed.getSmallestFailedBytes());
            assertFalse(detector.evaluate(new PmtuSample(header(2), List.of(fixed))).get(0).bad());

            // A command planned on the old MTU is stale: refused, nothing written.
            CommandResult stale = executor.handle(command(signer, 2, new Change(TuningAction.MTU, devA,
                    Integer.toString(TUNNEL_MTU), "1300"), null));
            assertEquals(CommandStatus.REJECTED, stale.getStatus(), stale.toString());
            assertEquals(recommended, LabNetwork.mtu(gateway(nsA), devA), "a refused command changes nothing");

            // The rollback restores the tunnel's MTU.
            CommandResult rolledBack = executor.handle(command(signer, 3, new Change(TuningAction.MTU, devA,
                    Integer.toString(recommended), Integer.toString(TUNNEL_MTU)), apply.getCommandId()));
            assertTrue(rolledBack.getStatus() == CommandStatus.ROLLED_BACK
                    || rolledBack.getStatus() == CommandStatus.APPLIED, rolledBack.toString());
            assertEquals(TUNNEL_MTU, LabNetwork.mtu(gateway(nsA), devA));

            // Control: r's ICMP passes. The kernel learns 1400 for b's endpoint; discovery works, no black hole.
            allowFragmentationNeeded();
            Shell.run(List.of("ip", "netns", "exec", nsA, "ip", "route", "flush", "cache"));
            PmtuPath reported = onlyPath(collector.collect(header(3)));
            assertEquals(ROUTER_MTU, reported.getReportedMtu(), "the route exception of b's endpoint: " + reported);
            // once a router reported 1400, a's kernel fragments wireguard-go's larger outer packets itself (its socket
            // does not forbid it), so the sizes that pass differ from the black hole's: only the report matters here
            assertTrue(reported.getLargestPassedBytes() != null && reported.getLargestPassedBytes() >= 1328,
                    reported.toString());
            Finding control = detector.evaluate(new PmtuSample(header(3), List.of(reported))).get(0);
            assertFalse(control.bad(), control.toString());
            assertEquals(1400.0, control.evidence().get("reportedMtu"));

            System.out.printf("PmtuBlackholeLabIT: black-hole probing %d steps in %.1f s (%s); test %.1f s%n",
                    hole.getSteps().size(), probeSeconds, hole.getSteps(), (System.nanoTime() - t0) / 1e9);
        }
    }

    private static SampleHeader header(long seq) {
        return new SampleHeader("gw-a", "boot", seq, System.currentTimeMillis(), "lab");
    }

    private static PmtuPath onlyPath(PmtuSample sample) {
        assertEquals(1, sample.getPaths().size(), "a's one peer: " + sample);
        return sample.getPaths().get(0);
    }

    /** Avro's JSON puts a union's non-null value under its type's name: {@code {"int": 1328}}. */
    private static JsonNode unwrapped(JsonNode value) {
        return value.isObject() && value.size() == 1 ? value.elements().next() : value;
    }

    private static LabNetwork.Gateway gateway(String ns) {
        return new LabNetwork.Gateway(ns, ns, "", "");
    }

    private TuningCommand command(CommandSigner signer, long sequence, Change change, String rollbackOf) {
        long now = System.currentTimeMillis();
        TuningCommand unsigned = Commands.unsigned("cmd-pmtu-" + run + "-" + sequence, "gw-a", change,
                rollbackOf == null ? "hs-pmtu-" + run : null, "PMTU black hole", false, rollbackOf, now, 60_000);
        unsigned.setSequence(sequence);
        return signer.sign(unsigned);
    }

    /** Whether a DF ping of {@code size} bytes from a reaches b's overlay address through the tunnel. */
    private boolean ping(int size) {
        return ToolRun.run(List.of("ip", "netns", "exec", nsA, "ping", "-4", "-n", "-q", "-M", "do", "-c", "2",
                "-i", "0.2", "-W", "1", "-s", Integer.toString(size - 28), "10.245.0.2")) != null;
    }

    private void network(LabProcesses processes, Path runDir) throws Exception {
        for (String ns : List.of(nsA, nsR, nsB)) {
            Shell.run(List.of("ip", "netns", "add", ns));
            ip(ns, "link", "set", "lo", "up");
        }
        ip(nsA, "link", "add", "u0", "type", "veth", "peer", "name", "ra", "netns", nsR);
        ip(nsB, "link", "add", "u0", "type", "veth", "peer", "name", "rb", "netns", nsR);
        ip(nsA, "addr", "add", "10.244.1.1/24", "dev", "u0");
        ip(nsB, "addr", "add", "10.244.2.1/24", "dev", "u0");
        ip(nsR, "addr", "add", "10.244.1.254/24", "dev", "ra");
        ip(nsR, "addr", "add", "10.244.2.254/24", "dev", "rb");
        for (String[] link : List.of(new String[] {nsA, "u0"}, new String[] {nsB, "u0"}, new String[] {nsR, "ra"},
                new String[] {nsR, "rb"})) {
            ip(link[0], "link", "set", link[1], "up");
        }
        ip(nsR, "link", "set", "rb", "mtu", Integer.toString(ROUTER_MTU));
        ip(nsA, "route", "add", "default", "via", "10.244.1.254");
        ip(nsB, "route", "add", "default", "via", "10.244.2.254");
        Shell.run(List.of("ip", "netns", "exec", nsR, "sysctl", "-qw", "net.ipv4.ip_forward=1"));

        Path keys = Files.createDirectories(runDir.resolve("wireguard"));
        String[][] sides = {{nsA, devA, "10.245.0.1", "10.244.1.1"}, {nsB, devB, "10.245.0.2", "10.244.2.1"}};
        for (String[] side : sides) {
            Path log = runDir.resolve(side[0] + "-wireguard-go.log");
            processes.startTool(side[0], List.of("wireguard-go", "-f", side[1]), log);
            long deadline = System.currentTimeMillis() + 10_000;
            while (!Files.exists(WireGuardTunnel.SOCKETS.resolve(side[1] + ".sock"))) {
                assertTrue(System.currentTimeMillis() < deadline, "wireguard-go made no socket in 10 s:\n"
                        + LabProcesses.tail(log));
                Thread.sleep(20);
            }
            Shell.run(List.of("sh", "-c", "umask 077 && wg genkey > " + keys.resolve(side[1] + ".key")));
        }
        for (int i = 0; i < 2; i++) {
            String[] self = sides[i];
            String[] peer = sides[1 - i];
            String peerKey = Shell.run(List.of("sh", "-c", "wg pubkey < " + keys.resolve(peer[1] + ".key"))).strip();
            Shell.run(List.of("ip", "netns", "exec", self[0], "wg", "set", self[1], "listen-port",
                    Integer.toString(PORT), "private-key", keys.resolve(self[1] + ".key").toString(), "peer", peerKey,
                    "endpoint", peer[3] + ":" + PORT, "allowed-ips", peer[2] + "/32"));
            ip(self[0], "addr", "add", self[2] + "/24", "dev", self[1]);
            ip(self[0], "link", "set", self[1], "mtu", Integer.toString(TUNNEL_MTU), "up");
        }
    }

    /** r's ICMP type 3 code 4 towards a into a class that drops everything (see the class comment). */
    private void dropFragmentationNeeded() {
        tc("qdisc", "add", "dev", "ra", "root", "handle", "1:", "htb", "default", "10");
        tc("class", "add", "dev", "ra", "parent", "1:", "classid", "1:10", "htb", "rate", "1gbit");
        tc("class", "add", "dev", "ra", "parent", "1:", "classid", "1:20", "htb", "rate", "1gbit");
        tc("qdisc", "add", "dev", "ra", "parent", "1:20", "handle", "20:", "pfifo", "limit", "0");
        tc("filter", "add", "dev", "ra", "parent", "1:", "protocol", "ip", "prio", "1", "u32",
                "match", "u8", "0x45", "0xff", "at", "0", "match", "ip", "protocol", "1", "0xff",
                "match", "u16", "0x0304", "0xffff", "at", "20", "flowid", "1:20");
    }

    private void allowFragmentationNeeded() {
        tc("qdisc", "del", "dev", "ra", "root");
    }

    /** Packets r's dropping class dropped. */
    private long droppedIcmp() {
        String stats = Shell.run(List.of("tc", "-n", nsR, "-s", "qdisc", "show", "dev", "ra"));
        int at = stats.indexOf("qdisc pfifo 20:");
        assertTrue(at >= 0, "no dropping class on r: " + stats);
        String rest = stats.substring(at);
        int dropped = rest.indexOf("dropped ");
        return Long.parseLong(rest.substring(dropped + 8, rest.indexOf(',', dropped)).strip());
    }

    private void tc(String... args) {
        List<String> argv = new ArrayList<>(List.of("tc", "-n", nsR));
        argv.addAll(List.of(args));
        Shell.run(argv);
    }

    private static void ip(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", ns));
        argv.addAll(List.of(args));
        Shell.run(argv);
    }

    /** a's sysfs as a process started in its namespace sees it (see WireguardPeersLabIT). */
    private Path namespaceSysfs(LabProcesses processes, Path runDir) throws Exception {
        Process p = processes.startTool(nsA, List.of("sleep", "300"), runDir.resolve("a-sleep.log"));
        Path proc = Path.of("/proc", Long.toString(p.pid()));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.readString(proc.resolve("comm")).strip().equals("sleep")) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "ip netns exec " + nsA + " sleep never ran");
            Thread.sleep(10);
        }
        Path sys = proc.resolve("root").resolve("sys");
        assertTrue(Files.isDirectory(sys.resolve("class/net").resolve(devA)), sys + " is not a's sysfs");
        return sys;
    }
}

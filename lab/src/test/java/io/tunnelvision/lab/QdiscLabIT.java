package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.agent.collect.InterfaceConfigCollector;
import io.tunnelvision.agent.collect.QdiscCollector;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.agent.collect.ToolRun;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.rules.rates.QdiscRateCalculator;
import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.Qdisc;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The egress queues on a real kernel: a gateway namespace ({@code tvqdisc-<run>-a}) with a VXLAN tunnel over a veth
 * underlay {@code u0} to a second namespace, {@code u0} shaped by a tbf at 1 Mbit/s (200 ms of queue), and a tun
 * device at txqueuelen 0 (no reader: what wireguard-go or OpenVPN would hold). The agent's real collectors read the
 * namespace ({@code tc -s -j qdisc show} run in it, its sysfs through a process started in it), the rules'
 * detectors judge two samples as the fleet and the doctor do, and the agent's own {@code collect --once --json} and
 * {@code doctor --json}, run in the namespace, show the qdiscs and the findings.
 *
 * <p>Load: a shell in the namespace writes 1,000-byte datagrams through the tunnel as fast as it can (tens of
 * Mbit/s), 30 times what the tbf lets out, so its queue stays full and it drops the rest, until the doctor has run
 * (at most 5 minutes: two JVMs start on a busy machine in between). The tunnel's peer address has a permanent
 * neighbour entry, so no ARP is needed through the tunnel.
 */
class QdiscLabIT {

    static final String PREFIX = "tvqdisc-";
    private static final String PEER_OVERLAY = "10.244.0.2";
    private static final String IFB = "ifbq0";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String nsA = PREFIX + run + "-a";
    private final String nsB = PREFIX + run + "-b";
    private final String tun = "tvq" + run;
    private long sequence;

    @Test
    void aTunAtTxqueuelenZeroAndAShapedUnderlayUnderLoadAreSeenByTheCollectorTheRulesAndTheDoctor() throws Exception {
        long t0 = System.nanoTime();
        LabNetwork.requireKernelLab();
        LabTunnel.requireCommand("qdisc", List.of("tc", "-V"), "iproute2");
        LabTunnel.requireCommand("qdisc", List.of("bash", "--version"), "bash");
        Path runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath().resolve("qdisc-" + run));

        try (Cleanup cleanup = new Cleanup()) {
            cleanup.add(() -> {
                for (String ns : List.of(nsA, nsB)) {
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
            });
            LabProcesses processes = cleanup.add(new LabProcesses());
            network();
            Path sys = namespaceSysfs(processes, runDir);
            Function<List<String>, String> inA = command -> {
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", nsA));
                argv.addAll(command);
                return ToolRun.run(argv);
            };
            QdiscCollector qdiscs = new QdiscCollector(sys, inA, SettingsRefresh.everyRound());
            InterfaceConfigCollector interfaces = new InterfaceConfigCollector(sys);
            HostDetectors detectors = new HostDetectors(DetectionThresholds.defaults());

            // What the collectors read, idle
            InterfaceConfigSample config = interfaces.collect(header());
            InterfaceConfig tunConfig = iface(config, tun);
            assertEquals(InterfaceKind.TUN, tunConfig.getKind());
            assertEquals(0, tunConfig.getTxQueueLen());
            assertEquals("u0", iface(config, "vx0").getUnderlay(), "u0 is the tunnel's underlay");
            QdiscSample idle = qdiscs.collect(header());
            assertEquals(0, qdiscs.unavailableRounds(), "tc ran in the namespace");
            assertEquals(0, qdiscs.malformedLines(), "tc's output parsed whole");
            Qdisc tbf = root(idle, "u0");
            assertEquals("tbf", tbf.getKind());
            assertEquals("1:", tbf.getHandle());
            assertEquals("pfifo_fast", root(idle, tun).getKind(), "a tun's default qdisc queues txqueuelen packets");
            assertEquals("noqueue", root(idle, "vx0").getKind());
            // BQL: the kernel gives byte_queue_limits only to devices that queue in a driver ring (an ifb here;
            // not a veth, a tun or a vxlan, which have no ring to limit)
            assertTrue(idle.getTxQueues().stream().anyMatch(q -> q.getInterface$().equals(IFB)
                    && q.getBqlLimit() != null && q.getBqlInflight() != null && q.getBqlLimitMax() != null),
                    IFB + "'s tx queue with its byte queue limits: " + idle.getTxQueues());
            assertTrue(idle.getTxQueues().stream().noneMatch(q -> q.getInterface$().equals("u0")),
                    "a veth has no byte queue limits: " + idle.getTxQueues());

            // Idle: the tun at txqueuelen 0 is found, the quiet underlay is not
            Thread.sleep(1_000);
            List<Finding> quiet = judge(detectors, idle, qdiscs.collect(header()), config);
            Finding zero = only(quiet, HotspotType.TXQUEUELEN_ZERO, tun);
            assertTrue(zero.bad(), zero.toString());
            assertEquals(0.0, zero.evidence().get("txQueueLen"));
            assertFalse(only(quiet, HotspotType.QDISC_DROPS, "u0").bad(), quiet.toString());
            assertFalse(only(quiet, HotspotType.QDISC_BACKLOG, "u0").bad(), quiet.toString());

            // Under load the tbf holds a full queue and drops the rest
            Process load = processes.startTool(nsA, List.of("bash", "-c", "payload=$(head -c 1000 /dev/zero | tr "
                    + "'\\0' x); end=$((SECONDS+300)); while [ $SECONDS -lt $end ]; do printf %s \"$payload\" > "
                    + "/dev/udp/" + PEER_OVERLAY + "/9 2>/dev/null; done"), runDir.resolve("load.log"));
            QdiscSample before = awaitBacklog(qdiscs, load);
            Thread.sleep(2_000);
            QdiscSample after = qdiscs.collect(header());
            List<Finding> loaded = judge(detectors, before, after, config);
            Finding drops = only(loaded, HotspotType.QDISC_DROPS, "u0");
            Finding backlog = only(loaded, HotspotType.QDISC_BACKLOG, "u0");
            assertTrue(drops.bad(), drops.toString());
            assertTrue(drops.metric() >= 100, "thousands of datagrams/s over a 1 Mbit/s tbf: " + drops);
            assertTrue(backlog.bad(), backlog.toString());
            // 1 Mbit/s is 125,000 B/s: a tbf queue of up to 200 ms holds some 25 KB; the delay is that over the rate
            assertTrue(backlog.metric() >= 100 && backlog.metric() <= 1_000, "a standing queue of the order of the "
                    + "tbf's 200 ms latency: " + backlog);
            double sentPerSec = backlog.evidence().get("bytesPerSec");
            assertTrue(sentPerSec > 90_000 && sentPerSec < 160_000, "the tbf sends its 1 Mbit/s: " + sentPerSec);
            assertTrue(root(after, "u0").getDrops() > root(before, "u0").getDrops());

            // The agent's own commands in the namespace: collect --once --json shows the qdiscs, doctor finds them
            ObjectMapper json = new ObjectMapper();
            JsonNode once = json.readTree(agent(processes, runDir, "collect", List.of("collect", "--once", "--json"),
                    0));
            JsonNode qdiscJson = once.get("qdisc");
            assertNotNull(qdiscJson, "collect --once --json has the qdisc sample: " + once.fieldNames());
            Map<String, String> kinds = new java.util.TreeMap<>();
            for (JsonNode q : qdiscJson.get("qdiscs")) {
                if (q.get("parent").isNull()) {
                    kinds.put(q.get("interface").asText(), q.get("kind").asText());
                }
            }
            assertEquals("tbf", kinds.get("u0"), qdiscJson.toString());
            assertEquals("pfifo_fast", kinds.get(tun), qdiscJson.toString());
            JsonNode tbfJson = null;
            for (JsonNode q : qdiscJson.get("qdiscs")) {
                if (q.get("interface").asText().equals("u0") && q.get("parent").isNull()) {
                    tbfJson = q;
                }
            }
            assertTrue(tbfJson.get("drops").asLong() >= root(after, "u0").getDrops(), tbfJson.toString());

            JsonNode doctor = json.readTree(agent(processes, runDir, "doctor",
                    List.of("doctor", "--json", "--interval", "2s"), 2));
            List<String> seen = new ArrayList<>();
            for (JsonNode f : doctor.get("findings")) {
                if (f.get("check").asText().equals("qdisc")) {
                    seen.add(f.get("subject").asText() + ": " + f.get("seen").asText());
                }
            }
            assertTrue(seen.stream().anyMatch(s -> s.startsWith(tun + ": ") && s.contains("txqueuelen 0")),
                    "the doctor's qdisc check finds the tun: " + seen);
            assertTrue(seen.stream().anyMatch(s -> s.startsWith("u0: ") && s.contains("drops")),
                    "and the drops of u0's tbf: " + seen);
            assertTrue(seen.stream().anyMatch(s -> s.startsWith("u0: ") && s.contains("standing queue")),
                    "and its standing queue: " + seen);
            load.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            // txqueuelen back to 1000: the tun is no longer a finding
            Shell.run(List.of("ip", "-n", nsA, "link", "set", tun, "txqueuelen", "1000"));
            InterfaceConfigSample fixed = interfaces.collect(header());
            List<Finding> after1000 = judge(detectors, qdiscs.collect(header()), qdiscs.collect(header()), fixed);
            assertFalse(only(after1000, HotspotType.TXQUEUELEN_ZERO, tun).bad(), after1000.toString());

            System.out.printf("QdiscLabIT: idle %d qdiscs; under load u0's tbf dropped %.0f/s with a standing "
                            + "queue of %.0f ms (%d packets, %d bytes) sending %.0f B/s; test %.1f s%n",
                    idle.getQdiscs().size(), drops.metric(), backlog.metric(), root(after, "u0").getBacklogPackets(),
                    root(after, "u0").getBacklogBytes(), sentPerSec, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static List<Finding> judge(HostDetectors detectors, QdiscSample first, QdiscSample second,
                                       InterfaceConfigSample config) {
        QdiscRates rates = new QdiscRateCalculator().between(first, second);
        return detectors.onQdisc(rates, config);
    }

    /** The one finding of {@code type} about {@code target}, good or bad. */
    private static Finding only(List<Finding> findings, HotspotType type, String target) {
        List<Finding> matching = findings.stream().filter(f -> f.type() == type && f.target().equals(target))
                .toList();
        assertEquals(1, matching.size(), type + " " + target + " in " + findings);
        return matching.get(0);
    }

    private static Qdisc root(QdiscSample sample, String iface) {
        Optional<Qdisc> root = sample.getQdiscs().stream()
                .filter(q -> q.getInterface$().equals(iface) && q.getParent() == null).findFirst();
        assertTrue(root.isPresent(), "no root qdisc on " + iface + ": " + sample.getQdiscs());
        return root.get();
    }

    private static InterfaceConfig iface(InterfaceConfigSample config, String name) {
        return config.getInterfaces().stream().filter(i -> i.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + config.getInterfaces()));
    }

    /** A sample once u0's tbf holds a queue, asked every 100 ms for at most 10 s. */
    private QdiscSample awaitBacklog(QdiscCollector qdiscs, Process load) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            QdiscSample s = qdiscs.collect(header());
            if (root(s, "u0").getBacklogPackets() > 0) {
                return s;
            }
            assertTrue(load.isAlive() && System.nanoTime() < deadline, "no queue on u0 under load: " + s);
            Thread.sleep(100);
        }
    }

    /** The agent's {@code args} run in a's namespace; its standard output once it exited {@code exitCode}. */
    private String agent(LabProcesses processes, Path runDir, String name, List<String> args, int exitCode)
            throws Exception {
        return processes.agentJson(nsA, args, Map.of(), runDir.resolve(name + ".out"), exitCode, 60);
    }

    private SampleHeader header() {
        return new SampleHeader("lab", "boot", sequence++, System.currentTimeMillis(), "lab");
    }

    /**
     * a and b joined by a veth {@code u0} (10.243.0.0/24); in a, VXLAN {@code vx0} over {@code u0} (10.244.0.1/24,
     * the peer's address a permanent neighbour), {@code u0} shaped by a tbf, a tun at txqueuelen 0, and an ifb
     * (the one kind of device here with byte queue limits).
     */
    private void network() {
        for (String ns : List.of(nsA, nsB)) {
            Shell.run(List.of("ip", "netns", "add", ns));
            ip(ns, "link", "set", "lo", "up");
        }
        ip(nsA, "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", nsB);
        ip(nsA, "addr", "add", "10.243.0.1/24", "dev", "u0");
        ip(nsB, "addr", "add", "10.243.0.2/24", "dev", "u0");
        ip(nsA, "link", "set", "u0", "up");
        ip(nsB, "link", "set", "u0", "up");
        try {
            ip(nsA, "link", "add", "vx0", "type", "vxlan", "id", "43", "local", "10.243.0.1", "remote", "10.243.0.2",
                    "dstport", "4789", "dev", "u0");
        } catch (IllegalStateException e) {
            throw new AssertionError("this kernel cannot create a vxlan interface, which the lab needs: "
                    + e.getMessage(), e);
        }
        ip(nsA, "addr", "add", "10.244.0.1/24", "dev", "vx0");
        ip(nsA, "link", "set", "vx0", "up");
        ip(nsA, "neigh", "replace", PEER_OVERLAY, "lladdr", "02:00:00:00:00:02", "dev", "vx0", "nud", "permanent");
        ip(nsA, "link", "add", IFB, "type", "ifb");
        ip(nsA, "link", "set", IFB, "up");
        ip(nsA, "tuntap", "add", "dev", tun, "mode", "tun");
        ip(nsA, "link", "set", tun, "txqueuelen", "0", "up");
        Shell.run(List.of("tc", "-n", nsA, "qdisc", "replace", "dev", "u0", "root", "handle", "1:", "tbf", "rate",
                "1mbit", "burst", "10kb", "latency", "200ms"));
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
        assertTrue(Files.isDirectory(sys.resolve("class/net").resolve(tun)), sys + " is not a's sysfs");
        return sys;
    }
}

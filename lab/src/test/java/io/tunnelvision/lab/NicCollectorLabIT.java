package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.agent.collect.NicCadence;
import io.tunnelvision.agent.collect.NicCollector;
import io.tunnelvision.agent.collect.SettingsRefresh;
import io.tunnelvision.agent.collect.ToolRun;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicQueue;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The NIC collector on a real veth: a namespace of its own ({@code tvnic-<run>}) with a veth pair of 4 queues a
 * side inside it, the collector reading the namespace's sysfs and running ethtool in it. veth answers
 * {@code ethtool -l} with RX/TX channels and "Combined: n/a", {@code -k} with rx-udp-gro-forwarding,
 * {@code -S} with per-queue counters, and refuses {@code -g} and {@code -c} (no rings, no coalescing): those must
 * be nulls, not errors. Then the agent's own {@code collect --once --json}, run in the namespace, shows the sample.
 */
class NicCollectorLabIT {

    private static final String NIC = "n0";

    @Test
    void aVethShowsItsChannelsOffloadsAndPerQueueCountersAndCollectOnceShowsThem() throws Exception {
        LabNetwork.requireKernelLab();
        requireEthtool();
        String ns = "tvnic-" + UUID.randomUUID().toString().substring(0, 8);
        Path runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath().resolve(ns));
        try (Cleanup cleanup = new Cleanup()) {
            Shell.run(List.of("ip", "netns", "add", ns));
            cleanup.add(() -> Shell.run(List.of("ip", "netns", "del", ns)));
            Shell.run(List.of("ip", "-n", ns, "link", "add", NIC, "numrxqueues", "4", "numtxqueues", "4", "type",
                    "veth", "peer", "name", "n1", "numrxqueues", "4", "numtxqueues", "4"));
            Shell.run(List.of("ip", "-n", ns, "link", "set", NIC, "up"));
            Shell.run(List.of("ip", "-n", ns, "link", "set", "n1", "up"));
            Shell.run(List.of("ip", "netns", "exec", ns, "ethtool", "-L", NIC, "rx", "2", "tx", "3"));
            Shell.run(List.of("ip", "netns", "exec", ns, "ethtool", "-K", NIC, "rx-udp-gro-forwarding", "on"));
            LabProcesses processes = cleanup.add(new LabProcesses());
            Path sys = namespaceSysfs(processes, ns, runDir);

            // The collector alone, ethtool run in the namespace
            List<List<String>> ran = new ArrayList<>();
            Function<List<String>, String> inNs = command -> {
                ran.add(command);
                List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
                argv.addAll(command);
                return ToolRun.run(argv);
            };
            NicCollector collector = new NicCollector(sys, SettingsRefresh.everyRound(), NicCadence.EVERY_ROUND,
                    Set.of(NIC), inNs);
            NicSample sample = collector.collect(new SampleHeader("lab", "boot", 0L, System.currentTimeMillis(),
                    "lab"));
            assertEquals(List.of(NIC), sample.getNics().stream().map(Nic::getInterface$).toList(),
                    "the named veth only: n1 has no device link and is not named");
            Nic nic = sample.getNics().get(0);
            assertEquals("veth", nic.getDriver());
            assertEquals(2, nic.getRxChannels());
            assertEquals(4, nic.getRxChannelsMax());
            assertNull(nic.getCombinedChannels(), "veth says Combined: n/a");
            assertNull(nic.getCombinedChannelsMax(), "veth says Combined: n/a");
            assertNull(nic.getRxRing(), "veth has no rings (ethtool -g: Operation not supported)");
            assertNull(nic.getRxRingMax());
            assertNull(nic.getRxUsecs(), "veth has no coalescing (ethtool -c: Operation not supported)");
            assertNull(nic.getAdaptiveRx());
            assertEquals(Boolean.TRUE, nic.getFeatures().get("rx-udp-gro-forwarding"), "set on above");
            assertNotNull(nic.getFeatures().get("generic-receive-offload"));
            // ethtool -S of veth: rx_queue_<n>_drops per active rx queue, tx_queue_<n>_xdp_xmit per tx queue
            List<Integer> queues = nic.getQueues().stream().map(NicQueue::getQueue).toList();
            assertTrue(queues.containsAll(List.of(0, 1)), "rx queues 0 and 1 of -S: " + nic.getQueues());
            for (NicQueue q : nic.getQueues()) {
                if (q.getQueue() < 2) {
                    assertEquals(0L, q.getRxDrops(), "nothing dropped on an idle veth: " + q);
                }
            }
            assertEquals(0, collector.unavailableRounds(), "ethtool -i worked");
            assertEquals(0, collector.malformedLines(), "ethtool -S parsed whole");
            assertTrue(ran.contains(List.of("ethtool", "-S", NIC)) && ran.contains(List.of("ethtool", "-k", NIC)),
                    "ran " + ran);

            // After ethtool -L, a settings round reads the new count
            Shell.run(List.of("ip", "netns", "exec", ns, "ethtool", "-L", NIC, "rx", "1", "tx", "1"));
            Nic after = collector.collect(new SampleHeader("lab", "boot", 1L, System.currentTimeMillis(), "lab"))
                    .getNics().get(0);
            assertEquals(1, after.getRxChannels());

            // The agent's collect --once --json in the namespace, the veth named by TUNNELVISION_AGENT_NIC_INTERFACES
            JsonNode json = new ObjectMapper().readTree(processes.agentJson(ns, List.of("collect", "--once", "--json"),
                    Map.of("TUNNELVISION_AGENT_NIC_INTERFACES", NIC), runDir.resolve("collect.log"), 0, 120));
            JsonNode nics = json.path("nic").path("nics");
            assertEquals(1, nics.size(), "the nic sample of collect --once: " + json.path("nic"));
            JsonNode shown = nics.get(0);
            assertEquals(NIC, shown.path("interface").asText());
            assertEquals("veth", shown.path("driver").path("string").asText(shown.path("driver").asText()));
            assertTrue(shown.path("features").path("rx-udp-gro-forwarding").asBoolean(), shown.toString());
            System.out.println("NicCollectorLabIT: collect --once nic sample " + shown);
        }
    }

    private static void requireEthtool() {
        if (NicCollector.ETHTOOL_LOCATIONS.stream().noneMatch(Files::isExecutable)) {
            throw new AssertionError("the NIC lab test needs ethtool in " + NicCollector.ETHTOOL_LOCATIONS
                    + ": ./tunnelvision test installs it (test-tools.sh)");
        }
    }

    /** The namespace's sysfs as a process in it sees it ({@code /proc/<pid>/root/sys} of a sleep started there). */
    private static Path namespaceSysfs(LabProcesses processes, String ns, Path runDir) throws Exception {
        Process p = processes.startTool(ns, List.of("sleep", "300"), runDir.resolve("sleep.log"));
        Path proc = Path.of("/proc", Long.toString(p.pid()));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.readString(proc.resolve("comm")).strip().equals("sleep")) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "ip netns exec " + ns + " sleep never ran");
            Thread.sleep(10);
        }
        Path sys = proc.resolve("root").resolve("sys");
        assertTrue(Files.isDirectory(sys.resolve("class/net").resolve(NIC)), sys + " is not the namespace's sysfs");
        return sys;
    }
}

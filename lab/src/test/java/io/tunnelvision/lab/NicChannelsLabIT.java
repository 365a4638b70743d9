package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunnelvision.agent.AgentMain;
import io.tunnelvision.agent.collect.EthtoolParse;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * COMBINED_CHANNELS on a real veth: a namespace of its own ({@code tvchan-<pid>-<run>}) with a veth pair of 4 queues
 * a side running one channel each. The agent's {@code doctor}, run inside it with the veth named in
 * TUNNELVISION_AGENT_NIC_INTERFACES, finds the single channel and says {@code ethtool -L n0 rx N tx N}; the agent's
 * real executor, run inside it too ({@link NamespaceExecutor}) with the installed ethtool, applies that count as
 * COMBINED_CHANNELS. veth has separate RX and TX channels ("Combined: n/a"), so the executor reads the RX count while
 * RX equals TX and writes both. {@code ethtool -l}, run in the namespace by the test, is the proof.
 */
class NicChannelsLabIT {

    private static final String NIC = "n0";

    @Test
    void theDoctorsCountAppliesAfterAWrongExpectationAndACountAboveTheMaximumAreRefusedAndTheRollbackRestores()
            throws Exception {
        long t0 = System.nanoTime();
        LabNetwork.requireKernelLab();
        LabTunnel.requireCommand("channels", List.of("ethtool", "--version"), "ethtool");
        String ns = "tvchan-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath().resolve(ns));
        try (Cleanup cleanup = new Cleanup()) {
            Shell.run(List.of("ip", "netns", "add", ns));
            cleanup.add(() -> Shell.run(List.of("ip", "netns", "del", ns)));
            Shell.run(List.of("ip", "-n", ns, "link", "add", NIC, "numrxqueues", "4", "numtxqueues", "4", "type",
                    "veth", "peer", "name", "n1", "numrxqueues", "4", "numtxqueues", "4"));
            Shell.run(List.of("ip", "-n", ns, "link", "set", NIC, "up"));
            Shell.run(List.of("ip", "-n", ns, "link", "set", "n1", "up"));
            Shell.run(List.of("ip", "netns", "exec", ns, "ethtool", "-L", NIC, "rx", "1", "tx", "1"));
            EthtoolParse.Channels start = channels(ns);
            assertEquals(List.of(1, 1, 4, 4), List.of(start.rx(), start.tx(), start.rxMax(), start.txMax()),
                    "one RX and one TX channel of a possible 4: " + start);
            assertNull(start.combinedMax(), "veth says Combined: n/a");
            LabProcesses processes = cleanup.add(new LabProcesses());

            // The doctor, run in the namespace with the veth named as a NIC (it has no bus device), finds the single
            // channel; its fix, once the rules propose COMBINED_CHANNELS for it, is the command for a device without
            // combined channels (an empty fix is what the rules give while they propose nothing for it)
            JsonNode finding = doctorFinding(processes, ns, runDir);
            Matcher seen = Pattern.compile("n0 runs 1 RX channel of 4 possible, on (\\d+) CPUs.*")
                    .matcher(finding.get("seen").asText());
            assertTrue(seen.matches(), finding.toString());
            String recommended = Integer.toString(Math.min(4, Integer.parseInt(seen.group(1))));
            assertTrue(Integer.parseInt(recommended) >= 2, "the lab needs 2 CPUs at least: " + finding);
            String fix = finding.get("fix").asText();
            assertTrue(fix.isEmpty() || fix.equals("ethtool -L n0 rx " + recommended + " tx " + recommended),
                    "the doctor's fix: " + finding);

            NamespaceExecutor executor = new NamespaceExecutor(ns, runDir, processes);

            // Refused: a stale expectation (compare-and-set) and a count above the device's maximum of 4
            List<CommandResult> refused = executor.run(
                    executor.command(TuningAction.COMBINED_CHANNELS, NIC, "3", recommended, null),
                    executor.command(TuningAction.COMBINED_CHANNELS, NIC, "1", "8", null));
            assertEquals(CommandStatus.REJECTED, refused.get(0).getStatus(), refused.get(0).getReason());
            assertTrue(refused.get(0).getReason().contains("compare-and-set"), refused.get(0).getReason());
            assertEquals(CommandStatus.REJECTED, refused.get(1).getStatus(), refused.get(1).getReason());
            assertTrue(refused.get(1).getReason().contains("above the pre-set maximum of n0 (4 rx and tx"),
                    refused.get(1).getReason());
            assertEquals(start, channels(ns), "nothing refused reaches the kernel");

            // Applied: the doctor's count, rx and tx both
            TuningCommand change = executor.command(TuningAction.COMBINED_CHANNELS, NIC, "1", recommended, null);
            CommandResult applied = executor.run(change).get(0);
            assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.getReason());
            assertEquals(List.of("1", recommended), List.of(applied.getValueBefore(), applied.getValueAfter()));
            EthtoolParse.Channels after = channels(ns);
            int n = Integer.parseInt(recommended);
            assertEquals(List.of(n, n), List.of(after.rx(), after.tx()), "ethtool -l after the change: " + after);

            // Rolled back: one and one again
            CommandResult rolledBack = executor.run(executor.command(TuningAction.COMBINED_CHANNELS, NIC,
                    recommended, "1", change.getCommandId())).get(0);
            assertEquals(CommandStatus.ROLLED_BACK, rolledBack.getStatus(), rolledBack.getReason());
            assertEquals(start, channels(ns), "the rollback restores the channels");
            System.out.printf("NicChannelsLabIT: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The doctor's {@code nic} finding on n0: {@code doctor --json} in the namespace. */
    private static JsonNode doctorFinding(LabProcesses processes, String ns, Path runDir) throws Exception {
        Path log = runDir.resolve("doctor.out");
        Process p = processes.start(ns, AgentMain.class.getName(), List.of("doctor", "--json", "--interval", "1s"),
                Map.of("TUNNELVISION_AGENT_NIC_INTERFACES", NIC), log, "128m");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "doctor did not finish: " + LabProcesses.tail(log));
        String out = Files.readString(log);
        assertTrue(p.exitValue() == 1 || p.exitValue() == 2, "doctor has a warning at least: " + out);
        String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("doctor printed no JSON: " + out));
        for (JsonNode f : new ObjectMapper().readTree(line).get("findings")) {
            if (f.get("check").asText().equals("nic") && f.get("subject").asText().equals(NIC)) {
                return f;
            }
        }
        throw new AssertionError("no nic finding on " + NIC + ": " + line);
    }

    /** {@code ethtool -l n0} in the namespace, read with the collector's parser. */
    private static EthtoolParse.Channels channels(String ns) {
        return EthtoolParse.channels(Shell.run(List.of("ip", "netns", "exec", ns, "ethtool", "-l", NIC)));
    }
}

package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * ROOT_QDISC on a real kernel: a namespace of its own ({@code tvroot-<pid>-<run>}) with a veth pair, {@code n0} with a
 * root pfifo at its default limit (its txqueuelen, 1000) and {@code n1} with an htb root, and the agent's real
 * executor run inside it ({@link NamespaceExecutor}) with the installed tc. {@code tc -j qdisc show}, run in the
 * namespace by the test, is the proof.
 */
class RootQdiscLabIT {

    private static final String PFIFO_ROOT = "n0";
    private static final String HTB_ROOT = "n1";

    @Test
    void aDefaultPfifoIsReplacedAndRecreatedAMissingKindFailsCleanlyAndAnHtbRootIsRefused() throws Exception {
        long t0 = System.nanoTime();
        LabNetwork.requireKernelLab();
        LabTunnel.requireCommand("root qdisc", List.of("tc", "-V"), "iproute2");
        String ns = "tvroot-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path runDir = Files.createDirectories(Path.of("target", "lab").toAbsolutePath().resolve(ns));
        try (Cleanup cleanup = new Cleanup()) {
            Shell.run(List.of("ip", "netns", "add", ns));
            cleanup.add(() -> Shell.run(List.of("ip", "netns", "del", ns)));
            Shell.run(List.of("ip", "-n", ns, "link", "add", PFIFO_ROOT, "type", "veth", "peer", "name", HTB_ROOT));
            Shell.run(List.of("ip", "-n", ns, "link", "set", PFIFO_ROOT, "up"));
            Shell.run(List.of("ip", "-n", ns, "link", "set", HTB_ROOT, "up"));
            tc(ns, "qdisc", "add", "dev", PFIFO_ROOT, "root", "pfifo");
            tc(ns, "qdisc", "add", "dev", HTB_ROOT, "root", "handle", "1:", "htb", "default", "10");
            String pfifo = root(ns, PFIFO_ROOT);
            assertTrue(pfifo.contains("\"kind\":\"pfifo\"") && pfifo.contains("\"limit\":1000"), pfifo);
            String htb = configuration(root(ns, HTB_ROOT));
            NamespaceExecutor executor = new NamespaceExecutor(ns, runDir, cleanup.add(new LabProcesses()));

            // pfifo at its default limit -> pfifo_fast, applied
            TuningCommand change = executor.command(TuningAction.ROOT_QDISC, PFIFO_ROOT, "pfifo", "pfifo_fast", null);
            CommandResult applied = executor.run(change).get(0);
            assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.getReason());
            assertEquals(List.of("pfifo", "pfifo_fast"), List.of(applied.getValueBefore(), applied.getValueAfter()));
            assertTrue(root(ns, PFIFO_ROOT).contains("\"kind\":\"pfifo_fast\""), root(ns, PFIFO_ROOT));

            // the rollback re-creates pfifo at its default limit
            CommandResult rolledBack = executor.run(executor.command(TuningAction.ROOT_QDISC, PFIFO_ROOT,
                    "pfifo_fast", "pfifo", change.getCommandId())).get(0);
            assertEquals(CommandStatus.ROLLED_BACK, rolledBack.getStatus(), rolledBack.getReason());
            String recreated = root(ns, PFIFO_ROOT);
            assertTrue(recreated.contains("\"kind\":\"pfifo\"") && recreated.contains("\"limit\":1000"), recreated);

            // fq_codel where the kernel has no such qdisc: tc's message, nothing changed; an htb root: refused
            boolean fqCodel = kernelHasFqCodel(ns);
            List<CommandResult> results = executor.run(
                    executor.command(TuningAction.ROOT_QDISC, PFIFO_ROOT, "pfifo", "fq_codel", null),
                    executor.command(TuningAction.ROOT_QDISC, HTB_ROOT, "htb", "pfifo_fast", null));
            CommandResult codel = results.get(0);
            if (fqCodel) {
                assertEquals(CommandStatus.APPLIED, codel.getStatus(), "this kernel has fq_codel: " + codel);
            } else {
                assertEquals(CommandStatus.FAILED, codel.getStatus(), codel.getReason());
                assertTrue(codel.getReason().contains("Specified qdisc kind is unknown"), codel.getReason());
                assertEquals("pfifo", codel.getValueAfter());
                assertEquals(recreated, root(ns, PFIFO_ROOT), "a failed replace leaves the root as it was");
            }
            CommandResult shaped = results.get(1);
            assertEquals(CommandStatus.REJECTED, shaped.getStatus(), shaped.getReason());
            assertTrue(shaped.getReason().contains("htb is a classful or shaping qdisc"), shaped.getReason());
            assertEquals(htb, configuration(root(ns, HTB_ROOT)), "the refused htb root is untouched");
            System.out.printf("RootQdiscLabIT: fq_codel %s on this kernel; %.1f s%n", fqCodel ? "present" : "absent",
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** {@code tc -j qdisc show dev <dev> root} in the namespace. */
    private static String root(String ns, String dev) {
        return Shell.run(List.of("ip", "netns", "exec", ns, "tc", "-j", "qdisc", "show", "dev", dev, "root")).strip();
    }

    /** A root's JSON without htb's counter of packets sent around its classes (the veth's own IPv6 chatter). */
    private static String configuration(String json) {
        return json.replaceAll("\"direct_packets_stat\":\\d+,?", "");
    }

    private static void tc(String ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "tc"));
        argv.addAll(List.of(args));
        Shell.run(argv);
    }

    /** Whether this kernel can make an fq_codel (built in or as a module), tried on a scratch veth. */
    private static boolean kernelHasFqCodel(String ns) {
        Shell.run(List.of("ip", "-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"));
        try {
            tc(ns, "qdisc", "add", "dev", "probe0", "root", "fq_codel");
            return true;
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().contains("Specified qdisc kind is unknown"), e.getMessage());
            return false;
        } finally {
            Shell.run(List.of("ip", "-n", ns, "link", "del", "probe0"));
        }
    }
}

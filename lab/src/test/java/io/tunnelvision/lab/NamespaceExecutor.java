package io.tunnelvision.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.InNamespaceExecutor;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.plan.Commands;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent's real executor inside a namespace: {@link InNamespaceExecutor} started with {@code ip netns exec}, so
 * the ethtool and tc it runs (the installed binaries, from their fixed locations) and the sysfs it reads are the
 * namespace's. Commands are signed with a key of this run, which the executor trusts; its state directory (the
 * record of applied changes a rollback needs) is kept from one run to the next, as an agent's is.
 */
final class NamespaceExecutor {

    static final String HOST = "gw-lab";
    private static final AvroCodec<TuningCommand> COMMANDS = AvroCodec.of(TuningCommand.class);
    private static final AvroCodec<CommandResult> RESULTS = AvroCodec.of(CommandResult.class);

    private final String ns;
    private final Path dir;
    private final LabProcesses processes;
    private final CommandSigner signer;
    private final Path publicKey;
    private long sequence = System.currentTimeMillis();
    private int runs;

    NamespaceExecutor(String ns, Path dir, LabProcesses processes) throws Exception {
        this.ns = ns;
        this.dir = dir;
        this.processes = processes;
        Ed25519Keys.KeyFiles key = Ed25519Keys.write(Ed25519Keys.generate(), Files.createDirectories(
                dir.resolve("keys")), "planner");
        this.signer = CommandSigner.fromFile(key.privateKey());
        this.publicKey = key.publicKey();
    }

    /** A signed command for this host, fresh for a minute; a rollback of {@code rollbackOf} when not null. */
    TuningCommand command(TuningAction action, String target, String expected, String newValue, String rollbackOf) {
        long seq = ++sequence;
        TuningCommand unsigned = Commands.unsigned("cmd-" + ns + "-" + seq, HOST,
                new Change(action, target, expected, newValue), rollbackOf == null ? "hs-" + ns : null, "lab",
                false, rollbackOf, System.currentTimeMillis(), 60_000);
        unsigned.setSequence(seq);
        return signer.sign(unsigned);
    }

    /** Runs the executor in the namespace over {@code commands}, in order, and returns their results. */
    List<CommandResult> run(TuningCommand... commands) throws Exception {
        int n = ++runs;
        Path in = dir.resolve("commands-" + n + ".txt");
        Path out = dir.resolve("results-" + n + ".txt");
        Path log = dir.resolve("executor-" + n + ".log");
        List<String> lines = new ArrayList<>();
        for (TuningCommand c : commands) {
            lines.add(Base64.getEncoder().encodeToString(COMMANDS.encode(c)));
        }
        Files.write(in, lines);
        Process p = processes.start(ns, InNamespaceExecutor.class.getName(), List.of(HOST,
                dir.resolve("state").toString(), publicKey.toString(), "false", in.toString(), out.toString()),
                Map.of(), log, "96m");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the executor did not finish: " + LabProcesses.tail(log));
        assertEquals(0, p.exitValue(), "the executor failed: " + LabProcesses.tail(log));
        List<CommandResult> results = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            results.add(RESULTS.decode(Base64.getDecoder().decode(line)));
        }
        assertEquals(commands.length, results.size(), LabProcesses.tail(log));
        return results;
    }
}

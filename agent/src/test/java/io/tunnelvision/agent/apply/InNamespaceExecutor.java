package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.sign.TrustedKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The executor as a process of its own, for tests that run it inside a network namespace under {@code ip netns
 * exec}, where /sys and /proc/sys/net are the namespace's. Reads commands (base64 single-object encodings, one a
 * line), handles each with the real /sys and /proc, writes results the same way.
 *
 * <p>{@code InNamespaceExecutor <host id> <state dir> <trusted public key pem> <dry run> <commands> <results>}
 */
public final class InNamespaceExecutor {

    private InNamespaceExecutor() {
    }

    public static void main(String[] args) throws IOException {
        ExecutorSettings settings = ExecutorSettings.of(args[0], Path.of("/sys"), Path.of("/proc"), Path.of(args[1]),
                ExecutorSettings.allActions(), ApplyBounds.standard(), Boolean.parseBoolean(args[3]));
        CommandExecutor executor = new CommandExecutor(settings, TrustedKeys.fromFiles(List.of(Path.of(args[2]))),
                Clock.systemUTC());
        AvroCodec<TuningCommand> commands = AvroCodec.of(TuningCommand.class);
        AvroCodec<CommandResult> results = AvroCodec.of(CommandResult.class);
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[4]))) {
            CommandResult result = executor.handle(commands.decode(Base64.getDecoder().decode(line)));
            out.add(Base64.getEncoder().encodeToString(results.encode(result)));
        }
        Files.write(Path.of(args[5]), out);
    }
}

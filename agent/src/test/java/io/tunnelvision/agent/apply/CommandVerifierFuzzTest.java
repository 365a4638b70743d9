package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.codec.PayloadDecodeException;
import io.tunnelvision.schemas.sign.CommandSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The command verifier: bytes from the commands topic decoded into a {@link TuningCommand} and handed to the
 * executor, which checks signature, host, time, replay, allowlist, target and value. The executor is in dry-run
 * mode over a directory tree standing in for a gateway's {@code /sys} and {@code /proc} ({@link FakeHost}), so
 * nothing reaches a kernel; the tree is compared with its first snapshot every {@value #RESET_EVERY} inputs.
 *
 * <p>Most inputs are built from the fuzzer's data and signed with the trusted planner key, so that they pass the
 * signature and reach the checks behind it; the rest are raw bytes for the decoder or commands with a forged key
 * id and signature. Declared: {@link PayloadDecodeException} from the decoder; the executor declares nothing for
 * a command (it answers every one with a result), and must never answer APPLIED or ROLLED_BACK in dry-run mode.
 */
class CommandVerifierFuzzTest {

    private static final String HOST = "gw-ams-01";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final int RESET_EVERY = 5_000;
    private static final AvroCodec<TuningCommand> CODEC = AvroCodec.of(TuningCommand.class);
    private static final CommandSigner SIGNER = CommandSigner.of(Commands.PLANNER);
    private static final List<String> TARGETS = List.of("host", "tun0", "eth0", "tun0/rx-0", "eth0/rx-0", "eth0/rx-1",
            "0", "1", "3", "4", "24", "45", "45,46,47", "46,45", "all", "default", "lo", "tun0/../..", "../etc",
            "tun0/rx-", "");
    private static final List<String> VALUES = List.of("0", "1", "2", "500", "1000", "1500", "9000", "f", "3",
            "ffffffff,ffffffff", "0-3", "0;0;0", "0;2;4", "0-1", "performance", "powersave", "300", "600",
            "212992", "16777216", "32768", "", " ", "-1", "18446744073709551616");

    private static Path root;
    private static FakeHost host;
    private static Map<String, String> kernelBefore;
    private static CommandExecutor executor;
    private static int inputs;
    private static long sequence = 1;

    @BeforeAll
    static void quietExecutor() {
        // a line per command is the audit trail in production; a million of them would only slow the fuzzer
        ((Logger) LoggerFactory.getLogger(CommandExecutor.class)).setLevel(Level.WARN);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void verifyCommand(FuzzedDataProvider data) {
        if (executor == null || ++inputs % RESET_EVERY == 0) {
            reset();
        }
        TuningCommand command;
        int mode = data.consumeInt(0, 7);
        try {
            command = switch (mode) {
                case 0 -> CODEC.decode(data.consumeRemainingAsBytes());
                case 1 -> CODEC.decode(CODEC.encode(forged(data)));
                default -> CODEC.decode(CODEC.encode(signed(data)));
            };
        } catch (PayloadDecodeException declared) {
            return;
        } catch (IllegalArgumentException unencodable) {
            return; // a field the fuzzer left null: no planner can send that
        }
        CommandResult result = executor.handle(command);
        assertNotNull(result.getStatus());
        assertNotNull(result.getReason());
        assertNotEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertNotEquals(CommandStatus.ROLLED_BACK, result.getStatus(), result.getReason());
    }

    private static TuningCommand signed(FuzzedDataProvider data) {
        return SIGNER.sign(fields(data).setKeyId("").setSignature(ByteBuffer.allocate(0)).build());
    }

    private static TuningCommand forged(FuzzedDataProvider data) {
        TuningCommand.Builder builder = fields(data);
        return builder.setKeyId(data.consumeString(24))
                .setSignature(ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 80)))).build();
    }

    private static TuningCommand.Builder fields(FuzzedDataProvider data) {
        TuningAction[] actions = TuningAction.values();
        long issued = NOW.toEpochMilli() - data.consumeLong(-120_000, 3_600_000);
        return TuningCommand.newBuilder()
                .setCommandId(data.consumeBoolean() ? "cmd-" + sequence : data.consumeString(40))
                .setSequence(data.consumeBoolean() ? ++sequence : data.consumeLong())
                .setHostId(data.consumeInt(0, 7) == 0 ? data.consumeString(20) : HOST)
                .setIssuedAtMs(issued)
                .setExpiresAtMs(issued + data.consumeLong(-60_000, 2L * 24 * 3600 * 1000))
                .setAction(actions[data.consumeInt(0, actions.length - 1)])
                .setTarget(data.consumeBoolean() ? data.pickValue(TARGETS) : data.consumeString(64))
                .setExpectedValue(data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(64))
                .setNewValue(data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(64))
                .setHotspotId(data.consumeBoolean() ? null : data.consumeString(20))
                .setReason("fuzz")
                .setDryRun(data.consumeBoolean())
                .setRollbackOf(data.consumeInt(0, 3) == 0 ? "cmd-" + data.consumeLong(0, sequence) : null);
    }

    /** A fresh gateway tree and state directory; first checks that the last one's kernel files were not written. */
    private static void reset() {
        if (host != null) {
            assertEquals(kernelBefore, host.snapshot(), "a dry run wrote to the kernel tree");
            delete(root);
        }
        try {
            Path shm = Path.of("/dev/shm");
            // fsync on tmpfs costs nothing: the executor fsyncs its state for every command
            root = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "tv-verifier-")
                    : Files.createTempDirectory("tv-verifier-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        host = new FakeHost(root);
        kernelBefore = host.snapshot();
        ExecutorSettings settings = ExecutorSettings.of(HOST, host.sys, host.proc, root.resolve("state"),
                ExecutorSettings.allActions(), ApplyBounds.standard(), true)
                .withEthtoolLocations(List.of(root.resolve("no/ethtool")));
        executor = new CommandExecutor(settings, Commands.trusting(), CLOCK);
    }

    @AfterAll
    static void removeTree() {
        if (host != null) {
            assertEquals(kernelBefore, host.snapshot(), "a dry run wrote to the kernel tree");
            delete(root);
        }
        executor = null;
        host = null;
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aSignedDryRunCommandIsAnsweredDryRun() {
        reset();
        TuningCommand command = SIGNER.sign(TuningCommand.newBuilder()
                .setCommandId("cmd-seed").setSequence(++sequence).setHostId(HOST)
                .setIssuedAtMs(NOW.toEpochMilli() - 1_000).setExpiresAtMs(NOW.toEpochMilli() + 300_000)
                .setAction(TuningAction.TXQUEUELEN).setTarget("tun0").setExpectedValue("500").setNewValue("1000")
                .setHotspotId(null).setReason("seed").setDryRun(false).setRollbackOf(null)
                .setKeyId("").setSignature(ByteBuffer.allocate(0)).build());

        CommandResult result = executor.handle(CODEC.decode(CODEC.encode(command)));

        assertEquals(CommandStatus.DRY_RUN, result.getStatus(), result.getReason());
        removeTree();
    }
}

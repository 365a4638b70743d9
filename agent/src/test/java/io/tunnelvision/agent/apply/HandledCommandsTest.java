package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's memory of the commands it handled: durable, torn lines skipped, bounded. */
class HandledCommandsTest {

    @TempDir
    Path state;
    private final Commands planner = new Commands("gw-1", System.currentTimeMillis());

    private static CommandResult result(String id, CommandStatus status, String reason) {
        return CommandResult.newBuilder().setCommandId(id).setHostId("gw-1").setStatus(status).setReason(reason)
                .setValueBefore("500").setValueAfter("1000").setTimeMs(1_700_000_000_000L).setAgentVersion("dev")
                .build();
    }

    @Test
    void aFinishedCommandIsRememberedWithItsWholeResultAfterARestart() {
        TuningCommand command = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        String digest = HandledCommands.digest(command);
        CommandResult result = result(command.getCommandId(), CommandStatus.APPLIED, "changed\ttabs\nand lines %");
        HandledCommands handled = new HandledCommands(state);
        handled.begin(command.getCommandId(), digest);
        handled.finish(command.getCommandId(), digest, result);

        HandledCommands.Entry entry = new HandledCommands(state).of(command.getCommandId()).orElseThrow();

        assertTrue(entry.done());
        assertTrue(entry.sameCommand(digest));
        assertEquals(result, entry.result());
    }

    @Test
    void aBegunCommandWithoutResultStaysBegunAfterARestart() {
        new HandledCommands(state).begin("cmd-1", "ab");

        HandledCommands.Entry entry = new HandledCommands(state).of("cmd-1").orElseThrow();

        assertFalse(entry.done());
        assertNull(entry.result());
    }

    @Test
    void aDifferentCommandUnderTheSameIdHasAnotherDigest() {
        TuningCommand.Builder builder = planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        TuningCommand one = Commands.sign(builder);
        TuningCommand other = Commands.sign(builder.setNewValue("2000"));

        assertEquals(one.getCommandId(), other.getCommandId());
        assertFalse(HandledCommands.digest(one).equals(HandledCommands.digest(other)));
        assertEquals(HandledCommands.digest(one), HandledCommands.digest(TuningCommand.newBuilder(one).build()),
                "the same command decoded again has the same digest");
    }

    @Test
    void aLineTornByACrashIsSkippedAndItsCommandCountsAsNotFinished() throws IOException {
        HandledCommands handled = new HandledCommands(state);
        handled.begin("cmd-1", "ab");
        String done = HandledCommands.format(new HandledCommands.Entry("cmd-1", "ab",
                result("cmd-1", CommandStatus.APPLIED, "changed")));
        // the crash cut the done line short: it has no newline and no complete checksum
        Files.writeString(state.resolve("handled"), done.substring(0, done.length() - 3), StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        HandledCommands.Entry entry = new HandledCommands(state).of("cmd-1").orElseThrow();

        assertFalse(entry.done(), "the torn line is not taken for a result");
    }

    @Test
    void anAlteredLineFailsItsChecksum() {
        String line = HandledCommands.format(new HandledCommands.Entry("cmd-1", "ab",
                result("cmd-1", CommandStatus.REJECTED, "compare-and-set")));

        assertEquals("cmd-1", HandledCommands.parse(line).commandId());
        assertNull(HandledCommands.parse(line.replace("cmd-1", "cmd-2")));
        assertNull(HandledCommands.parse("garbage"));
    }

    @Test
    void theFileIsRewrittenWithTheLatestEntriesSoItStaysBounded() throws IOException {
        int kept = 20;
        HandledCommands handled = new HandledCommands(state, kept);
        int n = 4 * kept + 7;
        for (int i = 0; i < n; i++) {
            handled.begin("cmd-" + i, "ab");
            handled.finish("cmd-" + i, "ab", result("cmd-" + i, CommandStatus.APPLIED, "changed"));
        }

        List<String> lines = Files.readAllLines(state.resolve("handled"));
        HandledCommands reloaded = new HandledCommands(state, kept);

        assertTrue(lines.size() <= 2 * kept, lines.size() + " lines");
        assertTrue(reloaded.of("cmd-" + (n - 1)).orElseThrow().done(), "the newest is kept");
        assertTrue(reloaded.of("cmd-" + (n - kept)).orElseThrow().done());
        assertTrue(reloaded.of("cmd-" + (n - kept - 1)).isEmpty(), "older ones are forgotten");
        assertFalse(Files.exists(state.resolve("handled.tmp")), "the rewrite was renamed into place");
    }

    @Test
    void aThousandResultsFitInAboutHalfAMegabyte() {
        String line = HandledCommands.format(new HandledCommands.Entry("gw-ams-01:tx_drops:tun0/txqueuelen/tun0/"
                + "1748779200000", HandledCommands.digest(planner.signed(TuningAction.TXQUEUELEN, "tun0", "500",
                "1000")), result("gw-ams-01:tx_drops:tun0/txqueuelen/tun0/1748779200000", CommandStatus.APPLIED,
                "changed /sys/class/net/tun0/tx_queue_len from 500 to 1000")));

        // begun and done lines for twice the kept entries at most, before the file is rewritten
        long worstFile = 2L * HandledCommands.REMEMBERED * line.length();
        assertTrue(worstFile < 1L << 20, worstFile + " bytes");
    }
}

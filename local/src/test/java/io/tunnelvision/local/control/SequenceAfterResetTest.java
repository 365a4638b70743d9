package io.tunnelvision.local.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.CommandExecutor;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.RemediationPolicy;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner loses its gate store (a new application id) and keeps its key: the agent, which remembers the
 * highest sequence it accepted from that key, accepts the first command of the fresh gate.
 */
class SequenceAfterResetTest {

    @TempDir
    Path dir;
    private final KeyPair plannerKey = Ed25519Keys.generate();

    /** Tx drops on tun0 whose queue is {@code txQueueLen}, from {@code startMs}: the planner's next command. */
    private static TuningCommand txqueuelenCommand(Harness planner, long startMs, int txQueueLen) {
        planner.txDropsOnTun0(new GatewaySim("gw-1", 4).startingAt(startMs), txQueueLen, 5);
        return planner.commands.readValue();
    }

    private CommandSignatureVerifier trusting() {
        return new CommandSignatureVerifier(List.of(plannerKey.getPublic()));
    }

    private Harness planner(long wallClockMs) {
        return new Harness(DetectionThresholds.defaults(), PlannerSettings.defaults(), RemediationPolicy.defaults(),
                wallClockMs, plannerKey);
    }

    @Test
    void theFirstCommandOfAFreshGateIsAcceptedByAnAgentThatAcceptedTheOldGatesCommands() {
        GatewayTree gateway = new GatewayTree(dir, "gw-1", 1000);
        long firstRun = GatewaySim.T0;
        TuningCommand before;
        try (Harness old = planner(System.currentTimeMillis())) {
            before = txqueuelenCommand(old, firstRun, 1000);
        }
        CommandResult accepted = gateway.agent(trusting(), before.getIssuedAtMs())
                .handle(before);
        assertEquals(CommandStatus.APPLIED, accepted.getStatus(), accepted.getReason());

        // reset: a new application id, every store empty, the same planner key; the gate starts a second later
        long secondRun = firstRun + Duration.ofHours(1).toMillis();
        TuningCommand after;
        try (Harness fresh = planner(System.currentTimeMillis() + 1_000)) {
            after = txqueuelenCommand(fresh, secondRun, 2000);
        }
        CommandExecutor sameAgent = gateway.agent(trusting(), after.getIssuedAtMs());
        CommandResult result = sameAgent.handle(after);

        assertTrue(after.getSequence() > before.getSequence(), after.getSequence() + " > " + before.getSequence());
        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals(after.getNewValue(), gateway.txQueueLen(), "the next rung of the ladder, 2000 -> 5000");
        assertEquals("5000", after.getNewValue());

        // what a gate that counted from 1 again would have sent: refused until it passed the old maximum
        TuningCommand countedFromOne = CommandSigner.of(plannerKey).sign(TuningCommand.newBuilder(after)
                .setCommandId(after.getCommandId() + "-again").setSequence(1).build());
        CommandResult refused = sameAgent.handle(countedFromOne);
        assertEquals(CommandStatus.REJECTED, refused.getStatus());
        assertTrue(refused.getReason().contains("replay: sequence 1 is not above"), refused.getReason());
    }
}

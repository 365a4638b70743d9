package io.tunnelvision.local.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.CommandExecutor;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.Decision;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.streams.topology.GatewaySim;
import io.tunnelvision.streams.topology.Harness;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In approval mode the planner's proposal, copied to a gateway as it is, is refused by the agent's real executor
 * and changes nothing; the command the gate releases on a signed approval is applied.
 */
class ProposalsCannotRunTest {

    @TempDir
    Path dir;
    private final Harness planner = new Harness(DetectionThresholds.defaults(),
            PlannerSettings.defaults().withApproval(true));

    @AfterEach
    void close() {
        planner.close();
    }

    @Test
    void aProposalGivenToTheAgentIsRejectedAndTheApprovedCommandIsApplied() {
        GatewayTree gateway = new GatewayTree(dir, "gw-1", 1000);
        GatewaySim sim = new GatewaySim("gw-1", 4);
        planner.txDropsOnTun0(sim, 1000, 5);
        TuningCommand proposal = planner.proposals.readValue();
        CommandExecutor agent = gateway.agent(planner.verifier, sim.timeMs());

        CommandResult copied = agent.handle(proposal);

        assertEquals(CommandStatus.REJECTED, copied.getStatus(), copied.getReason());
        assertTrue(copied.getReason().contains("proposal"), copied.getReason());
        assertEquals("1000", gateway.txQueueLen(), "the kernel is unchanged");

        planner.pipe("gw-1", planner.decision(proposal, Decision.APPROVE, "alice"), sim.timeMs());
        TuningCommand approved = planner.commands.readValue();
        CommandResult applied = agent.handle(approved);

        assertEquals(proposal.getCommandId(), approved.getCommandId());
        assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.getReason());
        assertEquals("2000", gateway.txQueueLen());
    }
}

package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.ToolRunner.Output;
import io.tunnelvision.agent.apply.ToolRunner.Tool;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The actions run through ethtool and tc, against a model of the tools passed through {@link ToolRunner}: the seam a
 * simulated gateway uses. The model answers what the real tool prints (outputs of ethtool 6.1 and iproute2 6.1 on
 * this kernel) and fails as it does.
 */
class ToolBackedActionsTest {

    private static final String HOST = "gw-ams-01";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;
    private FakeHost host;
    private final Commands planner = new Commands(HOST, NOW.toEpochMilli());
    private final List<String> ran = new ArrayList<>();

    @BeforeEach
    void givenAGateway() {
        host = new FakeHost(dir);
    }

    private CommandExecutor executor(ToolRunner tools) {
        return new CommandExecutor(ExecutorSettings.of(HOST, host.sys, host.proc, dir.resolve("state"),
                ExecutorSettings.allActions(), ApplyBounds.standard(), false).withTools(tools), Commands.trusting(),
                CLOCK);
    }

    /** A NIC whose coalescing is {@code rxUsecs[0]}; -C above 200 is refused as the driver would. */
    private ToolRunner coalescingModel(int[] rxUsecs) {
        return (tool, args) -> {
            ran.add(tool.command() + " " + String.join(" ", args));
            assertEquals(Tool.ETHTOOL, tool);
            if (args.get(0).equals("-c")) {
                return Output.ok("Coalesce parameters for " + args.get(1) + ":\nAdaptive RX: off  TX: off\n"
                        + "rx-usecs: " + rxUsecs[0] + "\nrx-frames: 0\n");
            }
            int wanted = Integer.parseInt(args.get(3));
            if (wanted > 200) {
                return Output.failed(1, "netlink error: Invalid argument\n");
            }
            rxUsecs[0] = wanted;
            return Output.ok("");
        };
    }

    @Test
    void coalescingIsAppliedToAModelThroughTheToolSeam() {
        int[] rxUsecs = {3};

        CommandResult result = executor(coalescingModel(rxUsecs))
                .handle(planner.signed(TuningAction.COALESCE_RX_USECS, "eth0", "3", "100"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals(100, rxUsecs[0]);
        assertEquals(List.of("3", "100"), List.of(result.getValueBefore(), result.getValueAfter()));
        assertEquals(List.of("ethtool -c eth0", "ethtool -C eth0 rx-usecs 100", "ethtool -c eth0"), ran);
    }

    @Test
    void whatTheToolRefusesIsFailedWithItsMessageAndTheModelIsUnchanged() {
        int[] rxUsecs = {3};

        CommandResult result = executor(coalescingModel(rxUsecs))
                .handle(planner.signed(TuningAction.COALESCE_RX_USECS, "eth0", "3", "500"));

        assertEquals(CommandStatus.FAILED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("exit 1 (netlink error: Invalid argument)"), result.getReason());
        assertEquals(3, rxUsecs[0]);
        assertEquals("3", result.getValueAfter());
    }
}

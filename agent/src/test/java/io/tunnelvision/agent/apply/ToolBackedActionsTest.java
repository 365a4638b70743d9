package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.apply.ToolRunner.Output;
import io.tunnelvision.agent.apply.ToolRunner.Tool;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        FakeHost.file(host.sys, "class/net/eth0/type", "1");
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

    // ---- a model NIC and its root qdisc, answering as ethtool 6.1 and tc 6.1 do ----

    /** One device: RX ring, channels (combined, or separate RX and TX), root qdisc; what ran is in {@link #ran}. */
    private final class Nic implements ToolRunner {
        Integer rxRing;
        int rxRingMax;
        int combined;
        int combinedMax;
        int rx;
        int tx;
        int rxMax;
        int txMax;
        String qdisc = "pfifo";
        long limit = 1000;
        Set<String> kernelQdiscs = Set.of("pfifo", "bfifo", "pfifo_fast", "noqueue", "htb", "mq");

        @Override
        public Output run(Tool tool, List<String> args) {
            ran.add(tool.command() + " " + String.join(" ", args));
            return tool == Tool.TC ? tc(args) : ethtool(args);
        }

        private Output ethtool(List<String> args) {
            String dev = args.get(1);
            switch (args.get(0)) {
                case "-g":
                    return rxRing == null ? Output.failed(1, "netlink error: Operation not supported\n")
                            : Output.ok("Ring parameters for " + dev + ":\nPre-set maximums:\nRX:\t\t" + rxRingMax
                                    + "\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t1024\nCurrent hardware settings:\n"
                                    + "RX:\t\t" + rxRing + "\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t1024\n");
                case "-G":
                    rxRing = Integer.valueOf(args.get(3));
                    return Output.ok("");
                case "-l":
                    return Output.ok("Channel parameters for " + dev + ":\nPre-set maximums:\nRX:\t\t"
                            + na(rxMax) + "\nTX:\t\t" + na(txMax) + "\nOther:\t\tn/a\nCombined:\t" + na(combinedMax)
                            + "\nCurrent hardware settings:\nRX:\t\t" + na(rx) + "\nTX:\t\t" + na(tx)
                            + "\nOther:\t\tn/a\nCombined:\t" + na(combined) + "\n");
                case "-L":
                    if (args.get(2).equals("combined")) {
                        combined = Integer.parseInt(args.get(3));
                    } else {
                        rx = Integer.parseInt(args.get(3));
                        tx = Integer.parseInt(args.get(5));
                    }
                    return Output.ok("");
                default:
                    throw new AssertionError("the executor ran ethtool " + args);
            }
        }

        private Output tc(List<String> args) {
            if (args.get(0).equals("-j")) {
                if (qdisc == null) {
                    return Output.ok("[]\n");
                }
                return Output.ok("[{\"kind\":\"" + qdisc + "\",\"handle\":\"8001:\",\"root\":true,\"refcnt\":2,"
                        + "\"options\":{" + (limit >= 0 ? "\"limit\":" + limit : "") + "}}]\n");
            }
            assertEquals(List.of("qdisc", "replace", "dev"), args.subList(0, 3));
            String kind = args.get(5);
            if (!kernelQdiscs.contains(kind)) {
                return Output.failed(2, "Error: Specified qdisc kind is unknown.\n");
            }
            qdisc = kind;
            limit = kind.equals("pfifo") ? 1000 : -1;
            return Output.ok("");
        }

        private String na(int n) {
            return n == 0 ? "n/a" : Integer.toString(n);
        }
    }

    private Nic ringOf(int current, int max) {
        Nic nic = new Nic();
        nic.rxRing = current;
        nic.rxRingMax = max;
        return nic;
    }

    private Nic combined(int current, int max) {
        Nic nic = new Nic();
        nic.combined = current;
        nic.combinedMax = max;
        return nic;
    }

    private Nic separate(int rx, int tx, int max) {
        Nic nic = new Nic();
        nic.rx = rx;
        nic.tx = tx;
        nic.rxMax = max;
        nic.txMax = max;
        return nic;
    }

    private boolean ranAWrite() {
        return ran.stream().anyMatch(r -> r.startsWith("ethtool -G") || r.startsWith("ethtool -L")
                || r.startsWith("tc qdisc replace"));
    }

    // ---- RX_RING ----

    @Test
    void theRxRingIsReadFromDashGAndWrittenWithDashG() {
        Nic nic = ringOf(1024, 16384);

        CommandResult result = executor(nic).handle(planner.signed(TuningAction.RX_RING, "eth0", "1024", "4096"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals(4096, nic.rxRing);
        assertEquals(List.of("1024", "4096"), List.of(result.getValueBefore(), result.getValueAfter()));
        assertTrue(ran.contains("ethtool -G eth0 rx 4096"), ran.toString());
    }

    @Test
    void aRingAboveTheDevicesMaximumIsRefusedWithoutAWrite() {
        Nic nic = ringOf(512, 4096);

        CommandResult result = executor(nic).handle(planner.signed(TuningAction.RX_RING, "eth0", "512", "8192"));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("above the pre-set maximum of eth0 (4096"), result.getReason());
        assertEquals(512, nic.rxRing);
        assertFalse(ranAWrite(), ran.toString());
    }

    @Test
    void aDeviceWithoutRingsIsRefusedWithEthtoolsMessage() {
        Nic veth = new Nic();

        CommandResult result = executor(veth).handle(planner.signed(TuningAction.RX_RING, "eth0", "256", "512"));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("reports no RX ring (ethtool -g eth0: netlink error: Operation not "
                + "supported)"), result.getReason());
        assertFalse(ranAWrite(), ran.toString());
    }

    // ---- COMBINED_CHANNELS ----

    @Test
    void combinedChannelsAreWrittenAsCombined() {
        Nic ice = combined(256, 288);

        CommandResult result = executor(ice).handle(planner.signed(TuningAction.COMBINED_CHANNELS, "eth0", "256",
                "32"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals(32, ice.combined);
        assertTrue(ran.contains("ethtool -L eth0 combined 32"), ran.toString());
    }

    @Test
    void separateEqualRxAndTxChannelsAreWrittenBothAndARollbackRestoresThem() {
        Nic veth = separate(4, 4, 4);
        CommandExecutor executor = executor(veth);
        TuningCommand change = planner.signed(TuningAction.COMBINED_CHANNELS, "eth0", "4", "2");

        CommandResult applied = executor.handle(change);
        assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.getReason());
        assertEquals(List.of(2, 2), List.of(veth.rx, veth.tx));
        assertTrue(ran.contains("ethtool -L eth0 rx 2 tx 2"), ran.toString());

        CommandResult rollback = executor.handle(Commands.sign(planner.builder(TuningAction.COMBINED_CHANNELS,
                "eth0", "2", "4").setRollbackOf(change.getCommandId())));
        assertEquals(CommandStatus.ROLLED_BACK, rollback.getStatus(), rollback.getReason());
        assertEquals(List.of(4, 4), List.of(veth.rx, veth.tx));
    }

    @Test
    void unequalRxAndTxChannelsAreRefusedWithoutAWrite() {
        Nic veth = separate(2, 3, 4);

        CommandResult result = executor(veth).handle(planner.signed(TuningAction.COMBINED_CHANNELS, "eth0", "2",
                "4"));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("has 2 RX and 3 TX channels"), result.getReason());
        assertFalse(ranAWrite(), ran.toString());
    }

    @Test
    void channelsAboveTheDevicesMaximumAreRefusedWithoutAWrite() {
        Nic virtio = combined(1, 1);

        CommandResult result = executor(virtio).handle(planner.signed(TuningAction.COMBINED_CHANNELS, "eth0", "1",
                "2"));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("above the pre-set maximum of eth0 (1 combined"), result.getReason());
        assertFalse(ranAWrite(), ran.toString());
    }

    // ---- ROOT_QDISC ----

    @Test
    void aDefaultPfifoIsReplacedAndARollbackRecreatesIt() {
        Nic nic = new Nic();
        CommandExecutor executor = executor(nic);
        TuningCommand change = planner.signed(TuningAction.ROOT_QDISC, "eth0", "pfifo", "pfifo_fast");

        CommandResult applied = executor.handle(change);
        assertEquals(CommandStatus.APPLIED, applied.getStatus(), applied.getReason());
        assertEquals("pfifo_fast", nic.qdisc);
        assertTrue(ran.contains("tc qdisc replace dev eth0 root pfifo_fast"), ran.toString());
        assertTrue(ran.contains("tc -j qdisc show dev eth0 root"), ran.toString());

        CommandResult rollback = executor.handle(Commands.sign(planner.builder(TuningAction.ROOT_QDISC, "eth0",
                "pfifo_fast", "pfifo").setRollbackOf(change.getCommandId())));
        assertEquals(CommandStatus.ROLLED_BACK, rollback.getStatus(), rollback.getReason());
        assertEquals("pfifo", nic.qdisc);
        assertEquals(1000, nic.limit);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "htb|-1|classful or shaping qdisc",
            "tbf|-1|classful or shaping qdisc",
            "mq|-1|send in parallel",
            "pfifo|50|pfifo limit 50 is not its default (1000 for txqueuelen 1000)",
            "bfifo|3000|bfifo limit 3000 is not its default (1514000 for txqueuelen 1000)",
            "ingress_x|-1|not a qdisc whose default configuration the agent can re-create"})
    void aRootThatARollbackCouldNotRecreateIsNotReplaced(String kind, long limit, String reason) {
        Nic nic = new Nic();
        nic.qdisc = kind;
        nic.limit = limit;

        CommandResult result = executor(nic).handle(planner.signed(TuningAction.ROOT_QDISC, "eth0", kind,
                "pfifo_fast"));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains(reason), result.getReason());
        assertEquals(kind, nic.qdisc);
        assertFalse(ranAWrite(), ran.toString());
    }

    @Test
    void aDeviceThatIsDownHasNoRootToReplaceAndIsRefused() {
        Nic down = new Nic();
        down.qdisc = null;

        CommandResult result = executor(down).handle(planner.signed(TuningAction.ROOT_QDISC, "eth0", "noqueue",
                "pfifo_fast"));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("lists no root qdisc"), result.getReason());
        assertFalse(ranAWrite(), ran.toString());
    }

    @Test
    void aDefaultBfifoOnAnEthernetLinkMayBeReplaced() {
        Nic nic = new Nic();
        nic.qdisc = "bfifo";
        nic.limit = 1000 * (1500 + 14);

        CommandResult result = executor(nic).handle(planner.signed(TuningAction.ROOT_QDISC, "eth0", "bfifo",
                "pfifo_fast"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "htb|classful or shaping qdisc",
            "mq|send in parallel",
            "fq codel|is not a qdisc kind",
            "FQ_CODEL|is not a qdisc kind",
            "pfifo_head_drop|not a qdisc whose default configuration"})
    void aKindTheAgentCannotSetIsRefused(String kind, String reason) {
        Nic nic = new Nic();

        CommandResult result = executor(nic).handle(planner.signed(TuningAction.ROOT_QDISC, "eth0", "pfifo", kind));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains(reason), result.getReason());
        assertFalse(ranAWrite(), ran.toString());
    }

    @Test
    void aKindTheKernelDoesNotHaveFailsWithTcsMessageAndNothingChanges() {
        Nic nic = new Nic();

        CommandResult result = executor(nic).handle(planner.signed(TuningAction.ROOT_QDISC, "eth0", "pfifo",
                "fq_codel"));

        assertEquals(CommandStatus.FAILED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("exit 2 (Error: Specified qdisc kind is unknown.)"),
                result.getReason());
        assertEquals("pfifo", result.getValueAfter());
        assertEquals("pfifo", nic.qdisc);
    }

    @Test
    void withoutTcTheRootQdiscIsRefused() {
        CommandExecutor executor = executor(InstalledTools.standard().with(Tool.TC, List.of(dir.resolve("no/tc"))));

        CommandResult result = executor.handle(planner.signed(TuningAction.ROOT_QDISC, "eth0", "pfifo",
                "pfifo_fast"));

        assertEquals(CommandStatus.REJECTED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().startsWith("tc is not installed (looked for ["), result.getReason());
        assertTrue(result.getReason().contains("install the iproute2 package)"), result.getReason());
    }

    @Test
    void anExecutorOverATreeNeverRunsTheInstalledTools() {
        CommandExecutor executor = new CommandExecutor(ExecutorSettings.of(HOST, host.sys, host.proc,
                dir.resolve("state"), ExecutorSettings.allActions(), ApplyBounds.standard(), false),
                Commands.trusting(), CLOCK);

        for (TuningAction action : List.of(TuningAction.ROOT_QDISC, TuningAction.RX_RING,
                TuningAction.COMBINED_CHANNELS, TuningAction.COALESCE_RX_USECS)) {
            CommandResult result = executor.handle(planner.signed(action, "eth0", "1", "2"));

            assertEquals(CommandStatus.REJECTED, result.getStatus(), action + ": " + result.getReason());
            assertTrue(result.getReason().contains("is not run for a tree (proc root " + host.proc), result.getReason());
        }
    }
}

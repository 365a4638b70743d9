package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The executor against a directory tree standing in for a 4-CPU gateway's /sys and /proc. */
class CommandExecutorTest {

    private static final String HOST = "gw-ams-01";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;
    private FakeHost host;
    private final Commands planner = new Commands(HOST, NOW.toEpochMilli());

    @BeforeEach
    void givenAGateway() {
        host = new FakeHost(dir);
    }

    private ExecutorSettings settings(boolean dryRun) {
        return ExecutorSettings.of(HOST, host.sys, host.proc, dir.resolve("state"), ExecutorSettings.allActions(),
                ApplyBounds.standard(), dryRun).withEthtoolLocations(List.of(dir.resolve("no/ethtool")));
    }

    private CommandExecutor applying() {
        return new CommandExecutor(settings(false), Commands.trusting(), CLOCK);
    }

    // ---- applying, host-wide settings (never the host's own: a tree) ----

    @ParameterizedTest(name = "{0} {2} -> {3}")
    @CsvSource({
            "NETDEV_BUDGET, proc/sys/net/core/netdev_budget, 300, 600",
            "NETDEV_BUDGET_USECS, proc/sys/net/core/netdev_budget_usecs, 8000, 4000",
            "NETDEV_MAX_BACKLOG, proc/sys/net/core/netdev_max_backlog, 1000, 5000",
            "RMEM_MAX, proc/sys/net/core/rmem_max, 212992, 16777216",
            "WMEM_MAX, proc/sys/net/core/wmem_max, 212992, 16777216",
            "RPS_SOCK_FLOW_ENTRIES, proc/sys/net/core/rps_sock_flow_entries, 0, 32768",
    })
    void aHostWideSysctlIsWrittenOnceWithANewlineAndReadBack(TuningAction action, String file, String before,
                                                             String after) throws IOException {
        CommandResult result = applying().handle(planner.signed(action, "host", before, after));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals(before, result.getValueBefore());
        assertEquals(after, result.getValueAfter());
        assertEquals(after + "\n", Files.readString(dir.resolve(file)), "the kernel wants the value and a newline");
    }

    @Test
    void irqAffinityIsWrittenAsTheKernelsCpuListAndComparedAsASet() {
        CommandResult result = applying().handle(planner.signed(TuningAction.IRQ_AFFINITY, "24", "0,1,2,3", "3,2"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals("0-3", result.getValueBefore());
        assertEquals("2-3", result.getValueAfter());
        assertEquals("2-3", host.read("proc/irq/24/smp_affinity_list"));
    }

    // ---- IRQ affinity of a set of IRQs: one command, all or none ----

    @Test
    void theQueueIrqsOfADeviceAreSpreadInOneCommand() {
        CommandResult result = applying().handle(planner.signed(TuningAction.IRQ_AFFINITY, "45,46,47",
                "0;0,1;0", "1;2;3"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals("0;0-1;0", result.getValueBefore(), "as the kernel prints them, in target order");
        assertEquals("1;2;3", result.getValueAfter());
        assertEquals("1", host.read("proc/irq/45/smp_affinity_list"));
        assertEquals("2", host.read("proc/irq/46/smp_affinity_list"));
        assertEquals("3", host.read("proc/irq/47/smp_affinity_list"));
        assertTrue(result.getReason().contains("/proc/irq/{45,46,47}/smp_affinity_list"), result.getReason());
    }

    @Test
    void aSetIsRolledBackByTheSameCommandWithTheValuesSwapped() {
        CommandExecutor executor = applying();
        TuningCommand spread = planner.signed(TuningAction.IRQ_AFFINITY, "45,46,47", "0;0-1;0", "1;2;3");
        assertEquals(CommandStatus.APPLIED, executor.handle(spread).getStatus());

        CommandResult result = applying().handle(Commands.sign(planner.builder(TuningAction.IRQ_AFFINITY,
                "45,46,47", "1;2;3", "0;0-1;0").setRollbackOf(spread.getCommandId())));

        assertEquals(CommandStatus.ROLLED_BACK, result.getStatus(), result.getReason());
        assertEquals("1;2;3", result.getValueBefore());
        assertEquals("0;0-1;0", result.getValueAfter());
        assertEquals("0-1", host.read("proc/irq/46/smp_affinity_list"));
    }

    @Test
    void aSetThatTheKernelRefusesHalfwayIsPutBackAndReportedWithTheIrqThatFailed() throws IOException {
        // Given IRQ 47's file a symlink: it reads as 0, but the executor's O_NOFOLLOW write fails, for root too
        Path file = dir.resolve("proc/irq/47/smp_affinity_list");
        Files.move(file, dir.resolve("proc/irq/47/elsewhere"));
        Files.createSymbolicLink(file, Path.of("elsewhere"));
        CommandExecutor executor = applying();
        TuningCommand spread = planner.signed(TuningAction.IRQ_AFFINITY, "45,46,47", "0;0-1;0", "1;2;3");

        CommandResult result = executor.handle(spread);

        assertEquals(CommandStatus.FAILED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("IRQ 47: write " + file + " failed: ELOOP"), result.getReason());
        assertTrue(result.getReason().contains("restored IRQ 46 to 0-1, 45 to 0"), result.getReason());
        assertEquals("0;0-1;0", result.getValueBefore());
        assertEquals("0;0-1;0", result.getValueAfter(), "read back after the restore");
        assertEquals("0", host.read("proc/irq/45/smp_affinity_list"));
        assertEquals("0-1", host.read("proc/irq/46/smp_affinity_list"));
        assertEquals("0", host.read("proc/irq/47/elsewhere"));
        CommandResult rollback = executor.handle(Commands.sign(planner.builder(TuningAction.IRQ_AFFINITY,
                "45,46,47", "1;2;3", "0;0-1;0").setRollbackOf(spread.getCommandId())));
        assertTrue(rollback.getReason().contains("no record"), "nothing to roll back: " + rollback.getReason());
    }

    @Test
    void aDryRunOfASetSaysWhatWouldChangeForEveryIrq() {
        Map<String, String> before = host.snapshot();
        CommandResult result = applying().handle(Commands.sign(planner.builder(TuningAction.IRQ_AFFINITY,
                "45,46,47", "0;0-1;0", "1;2;3").setDryRun(true)));

        assertEquals(CommandStatus.DRY_RUN, result.getStatus());
        assertTrue(result.getReason().contains("from 0;0-1;0 to 1;2;3"), result.getReason());
        assertEquals(before, host.snapshot());
    }

    @Test
    void theGovernorOfOneCpuIsSetWhenTheCpuOffersIt() {
        CommandResult result = applying().handle(planner.signed(TuningAction.CPU_GOVERNOR, "1", "powersave",
                "performance"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals("performance", host.read("sys/devices/system/cpu/cpu1/cpufreq/scaling_governor"));
        assertEquals("powersave", host.read("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
    }

    @Test
    void anRpsMaskIsWrittenInTheKernelsLayout() {
        CommandResult result = applying().handle(planner.signed(TuningAction.RPS_CPUS, "tun0/rx-0", "00", "e"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals("e", host.read("sys/class/net/tun0/queues/rx-0/rps_cpus"));
    }

    // ---- dry run ----

    @Test
    void byDefaultTheAgentOnlySaysWhatWouldChange() {
        Map<String, String> before = host.snapshot();
        CommandExecutor executor = new CommandExecutor(settings(true), Commands.trusting(), CLOCK);

        CommandResult result = executor.handle(planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000"));

        assertEquals(CommandStatus.DRY_RUN, result.getStatus());
        assertTrue(result.getReason().contains("from 500 to 1000"), result.getReason());
        assertEquals(before, host.snapshot());
    }

    @Test
    void aCommandCanAskForADryRunButNeverForTheOpposite() {
        Map<String, String> before = host.snapshot();

        CommandResult result = applying().handle(Commands.sign(
                planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000").setDryRun(true)));

        assertEquals(CommandStatus.DRY_RUN, result.getStatus());
        assertEquals(before, host.snapshot());
    }

    // ---- rollback ----

    @Test
    void aRollbackRestoresTheValueBeforeAsThisAgentReadIt() {
        CommandExecutor executor = applying();
        TuningCommand change = planner.signed(TuningAction.NETDEV_BUDGET, "host", "300", "600");
        assertEquals(CommandStatus.APPLIED, executor.handle(change).getStatus());

        // after a restart, from the record on disk
        CommandResult result = applying().handle(Commands.sign(planner.builder(TuningAction.NETDEV_BUDGET, "host",
                "600", "300").setRollbackOf(change.getCommandId())));

        assertEquals(CommandStatus.ROLLED_BACK, result.getStatus(), result.getReason());
        assertEquals("600", result.getValueBefore());
        assertEquals("300", result.getValueAfter());
        assertEquals("300", host.read("proc/sys/net/core/netdev_budget"));
    }

    @Test
    void aRollbackRestoresEvenAValueOutsideTodaysBounds() {
        FakeHost.file(host.sys, "class/net/tun0/tx_queue_len", "50");
        CommandExecutor executor = applying();
        TuningCommand change = planner.signed(TuningAction.TXQUEUELEN, "tun0", "50", "1000");
        assertEquals(CommandStatus.APPLIED, executor.handle(change).getStatus());

        CommandResult result = executor.handle(Commands.sign(planner.builder(TuningAction.TXQUEUELEN, "tun0",
                "1000", "").setRollbackOf(change.getCommandId())));

        assertEquals(CommandStatus.ROLLED_BACK, result.getStatus(), result.getReason());
        assertEquals("50", host.read("sys/class/net/tun0/tx_queue_len"));
    }

    @Test
    void aRollbackOfAChangeThisAgentNeverMadeOrOfAnotherSettingIsRefused() {
        CommandExecutor executor = applying();
        TuningCommand change = planner.signed(TuningAction.NETDEV_BUDGET, "host", "300", "600");
        executor.handle(change);
        Map<String, String> before = host.snapshot();

        CommandResult unknown = executor.handle(Commands.sign(planner.builder(TuningAction.NETDEV_BUDGET, "host",
                "600", "300").setRollbackOf("cmd-never-seen")));
        CommandResult otherSetting = executor.handle(Commands.sign(planner.builder(TuningAction.NETDEV_MAX_BACKLOG,
                "host", "1000", "300").setRollbackOf(change.getCommandId())));
        CommandResult otherValue = executor.handle(Commands.sign(planner.builder(TuningAction.NETDEV_BUDGET, "host",
                "600", "1000").setRollbackOf(change.getCommandId())));

        assertEquals(CommandStatus.REJECTED, unknown.getStatus());
        assertTrue(unknown.getReason().contains("no record"), unknown.getReason());
        assertEquals(CommandStatus.REJECTED, otherSetting.getStatus());
        assertEquals(CommandStatus.REJECTED, otherValue.getStatus());
        assertTrue(otherValue.getReason().contains("was 300"), otherValue.getReason());
        assertEquals(before, host.snapshot());
    }

    // ---- refusals: each leaves every file as it was ----

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("forged signature", CommandStatus.REJECTED, "does not verify", (p, b) -> {
                    TuningCommand signed = Commands.sign(b);
                    signed.setNewValue("10000");
                    return signed;
                }),
                refusal("unknown key", CommandStatus.REJECTED, "not among this agent's trusted keys",
                        (p, b) -> CommandSigner.of(Commands.STRANGER).sign(b.build())),
                refusal("no signature", CommandStatus.REJECTED, "signature",
                        (p, b) -> b.setKeyId(CommandSigner.of(Commands.PLANNER).keyId()).build()),
                refusal("other host", CommandStatus.REJECTED, "is for 'gw-fra-07'",
                        (p, b) -> Commands.sign(b.setHostId("gw-fra-07"))),
                refusal("expired", CommandStatus.EXPIRED, "expired at",
                        (p, b) -> Commands.sign(b.setIssuedAtMs(NOW.toEpochMilli() - 600_000)
                                .setExpiresAtMs(NOW.toEpochMilli() - 60_000))),
                refusal("issued in the future", CommandStatus.REJECTED, "in the future",
                        (p, b) -> Commands.sign(b.setIssuedAtMs(NOW.toEpochMilli() + 3_600_000)
                                .setExpiresAtMs(NOW.toEpochMilli() + 3_700_000))),
                refusal("valid for a week", CommandStatus.REJECTED, "more than 24h",
                        (p, b) -> Commands.sign(b.setExpiresAtMs(NOW.toEpochMilli() + 7 * 86_400_000L))),
                refusal("out of range", CommandStatus.REJECTED, "outside the configured bounds 100..10000",
                        (p, b) -> Commands.sign(b.setNewValue("100000"))),
                refusal("below range", CommandStatus.REJECTED, "outside the configured bounds",
                        (p, b) -> Commands.sign(b.setNewValue("10"))),
                refusal("not a number", CommandStatus.REJECTED, "not a non-negative whole number",
                        (p, b) -> Commands.sign(b.setNewValue("1000; reboot"))),
                refusal("unknown action", CommandStatus.REJECTED, "action UNKNOWN",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.UNKNOWN))),
                refusal("path trick in the interface name", CommandStatus.REJECTED, "contains '/'",
                        (p, b) -> Commands.sign(b.setTarget("tun0/../../"))),
                refusal("dot-dot as interface", CommandStatus.REJECTED, "not an interface name",
                        (p, b) -> Commands.sign(b.setTarget(".."))),
                refusal("path trick in a queue", CommandStatus.REJECTED, "not a receive queue",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.RPS_CPUS).setTarget("tun0/../../../etc")
                                .setExpectedValue("0").setNewValue("1"))),
                refusal("path trick in an IRQ", CommandStatus.REJECTED, "not an IRQ number",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.IRQ_AFFINITY).setTarget("../../etc")
                                .setExpectedValue("0-3").setNewValue("1"))),
                refusal("path trick in rp_filter", CommandStatus.REJECTED, "contains '/'",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.RP_FILTER).setTarget("../../../etc")
                                .setExpectedValue("0").setNewValue("1"))),
                refusal("interface name too long", CommandStatus.REJECTED, "longer than the kernel's 15 bytes",
                        (p, b) -> Commands.sign(b.setTarget("tun0tun0tun0tun0"))),
                refusal("whitespace in the name", CommandStatus.REJECTED, "does not allow",
                        (p, b) -> Commands.sign(b.setTarget("tun 0"))),
                refusal("NUL in the name", CommandStatus.REJECTED, "does not allow",
                        (p, b) -> Commands.sign(b.setTarget("tun0\u0000x"))),
                refusal("no such interface", CommandStatus.REJECTED, "no interface 'wg9'",
                        (p, b) -> Commands.sign(b.setTarget("wg9"))),
                refusal("no such IRQ", CommandStatus.REJECTED, "no IRQ 99",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.IRQ_AFFINITY).setTarget("99")
                                .setExpectedValue("0-3").setNewValue("1"))),
                refusal("sysctl aimed at an interface", CommandStatus.REJECTED, "must be 'host'",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.NETDEV_BUDGET).setTarget("tun0")
                                .setExpectedValue("300").setNewValue("600"))),
                refusal("mismatched expected value", CommandStatus.REJECTED, "compare-and-set",
                        (p, b) -> Commands.sign(b.setExpectedValue("1000"))),
                refusal("no expected value", CommandStatus.REJECTED, "no expectedValue",
                        (p, b) -> Commands.sign(b.setExpectedValue(""))),
                refusal("mask beyond the online CPUs", CommandStatus.REJECTED, "CPUs 4 that are not online",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.RPS_CPUS).setTarget("tun0/rx-0")
                                .setExpectedValue("0").setNewValue("1f"))),
                refusal("mask with a word too many", CommandStatus.REJECTED, "EOVERFLOW",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.RPS_CPUS).setTarget("tun0/rx-0")
                                .setExpectedValue("0").setNewValue("00000000,00000003"))),
                refusal("affinity beyond the online CPUs", CommandStatus.REJECTED, "not online",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.IRQ_AFFINITY).setTarget("24")
                                .setExpectedValue("0-3").setNewValue("2-5"))),
                irqSet("IRQs not ascending", "ascending order, and 45 comes after 46", "46,45", "0-1;0", "1;2"),
                irqSet("an IRQ listed twice", "ascending", "45,45", "0;0", "1;2"),
                irqSet("more IRQs than one command may change", "at most 256", manyIrqs(257), "0", "1"),
                irqSet("an IRQ of the set missing", "no IRQ 99", "45,99", "0;0", "1;2"),
                irqSet("an empty IRQ in the target", "'' is not an IRQ number", "45,,47", "0;0;0", "1;2;3"),
                irqSet("a space in the target", "' 46' is not an IRQ number", "45, 46", "0;0-1", "1;2"),
                irqSet("fewer new values than IRQs", "2 CPU lists for the 3 IRQs", "45,46,47", "0;0-1;0", "1;2"),
                irqSet("fewer expected values than IRQs", "2 CPU lists for 3 IRQs", "45,46,47", "0;0-1", "1;2;3"),
                irqSet("one new value offline", "IRQ 47: IRQ affinity '7' names CPUs 7 that are not online",
                        "45,46,47", "0;0-1;0", "1;2;7"),
                irqSet("one new value no CPU list", "IRQ 46: 'x' is not a CPU list", "45,46,47", "0;0-1;0",
                        "1;x;3"),
                irqSet("one new value empty", "IRQ 46: IRQ affinity '' names no CPU", "45,46,47", "0;0-1;0",
                        "1;;3"),
                irqSet("the mask format instead of a list", "is not a CPU list", "45,46", "0;0-1", "1;0x4"),
                irqSet("compare-and-set fails on one IRQ of the set", "IRQ 47 is 0, expected 1", "45,46,47",
                        "0;0-1;1", "1;2;3"),
                refusal("flow count not a power of two", CommandStatus.REJECTED, "round it up to 8",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.RPS_FLOW_CNT).setTarget("tun0/rx-0")
                                .setExpectedValue("0").setNewValue("5"))),
                refusal("rp_filter 3", CommandStatus.REJECTED, "bounds 0..2",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.RP_FILTER).setTarget("tun0")
                                .setExpectedValue("0").setNewValue("3"))),
                refusal("governor this CPU does not offer", CommandStatus.REJECTED, "not available on CPU 2",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.CPU_GOVERNOR).setTarget("2")
                                .setExpectedValue("powersave").setNewValue("turbo"))),
                refusal("coalescing without ethtool", CommandStatus.REJECTED, "ethtool is not installed",
                        (p, b) -> Commands.sign(b.setAction(TuningAction.COALESCE_RX_USECS).setTarget("eth0")
                                .setExpectedValue("3").setNewValue("100"))));
    }

    private interface Tamper {
        TuningCommand apply(Commands planner, TuningCommand.Builder valid);
    }

    private static Arguments refusal(String name, CommandStatus status, String reason, Tamper tamper) {
        return Arguments.of(name, status, reason, tamper);
    }

    private static Arguments irqSet(String name, String reason, String target, String expected, String newValue) {
        return refusal(name, CommandStatus.REJECTED, reason, (p, b) -> Commands.sign(b
                .setAction(TuningAction.IRQ_AFFINITY).setTarget(target).setExpectedValue(expected)
                .setNewValue(newValue)));
    }

    /** IRQs 24, 45 and then n - 2 more that do not exist: the count is refused before any is looked up. */
    private static String manyIrqs(int n) {
        StringBuilder target = new StringBuilder("24,45");
        for (int irq = 1000; irq < 1000 + n - 2; irq++) {
            target.append(',').append(irq);
        }
        return target.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aCommandThatFailsACheckIsRefusedWithItsReasonAndChangesNothing(String name, CommandStatus status,
                                                                        String reason, Tamper tamper) {
        Map<String, String> before = host.snapshot();
        TuningCommand command = tamper.apply(planner,
                planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000"));

        CommandExecutor executor = applying();

        CommandResult result = executor.handle(command);

        assertEquals(status, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains(reason), "reason: " + result.getReason());
        assertEquals(1, executor.counts().of(status), "the refusal is counted");
        assertEquals(0, executor.counts().of(CommandStatus.APPLIED));
        assertNull(result.getValueAfter());
        assertEquals(before, host.snapshot(), name + " must not change anything");
    }

    @Test
    void anActionOutsideTheAllowlistIsRefused() {
        Map<String, String> before = host.snapshot();
        CommandExecutor onlyTxqueuelen = new CommandExecutor(new ExecutorSettings(HOST, host.sys, host.proc,
                dir.resolve("state"), EnumSet.of(TuningAction.TXQUEUELEN), ApplyBounds.standard(), false,
                InstalledTools.standard(), ExecutorSettings.DEFAULT_CLOCK_SKEW), Commands.trusting(), CLOCK);

        CommandResult result = onlyTxqueuelen.handle(planner.signed(TuningAction.MTU, "tun0", "1500", "1400"));

        assertEquals(CommandStatus.REJECTED, result.getStatus());
        assertTrue(result.getReason().contains("MTU is not allowed"), result.getReason());
        assertEquals(before, host.snapshot());
    }

    @Test
    void aCommandDeliveredAgainIsAnsweredWithItsFirstResultAndNeverWrittenTwiceNotEvenAfterARestart() {
        TuningCommand command = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        CommandResult first = applying().handle(command);
        assertEquals(CommandStatus.APPLIED, first.getStatus(), first.getReason());
        FakeHost.file(host.sys, "class/net/tun0/tx_queue_len", "500"); // someone put it back
        Map<String, String> before = host.snapshot();

        CommandExecutor sameRun = applying();
        CommandResult again = sameRun.handle(command);
        CommandResult afterRestart = applying().handle(command);

        assertEquals(first, again, "the first result, as it was: same status, reason, values and time");
        assertEquals(first, afterRestart);
        assertEquals(before, host.snapshot(), "nothing written the second and third time");
        assertEquals(1, sameRun.counts().of(Delivery.REPEAT));
        assertEquals(0, sameRun.counts().of(CommandStatus.APPLIED), "a repeat is not counted as a second apply");
    }

    @Test
    void aRefusedCommandDeliveredAgainGetsTheSameRefusalWithTheSameReason() {
        TuningCommand expired = Commands.sign(planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000")
                .setIssuedAtMs(NOW.toEpochMilli() - 600_000).setExpiresAtMs(NOW.toEpochMilli() - 300_000));
        CommandResult first = applying().handle(expired);

        CommandResult again = applying().handle(expired);

        assertEquals(CommandStatus.EXPIRED, first.getStatus());
        assertEquals(first, again);
    }

    @Test
    void anotherCommandReusingAnIdIsRefusedAndTheFirstResultIsKept() {
        TuningCommand.Builder original = planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        CommandResult first = applying().handle(Commands.sign(original));
        TuningCommand reuse = Commands.sign(planner.builder(TuningAction.TXQUEUELEN, "tun0", "1000", "2000")
                .setCommandId(original.getCommandId()));

        CommandResult refused = applying().handle(reuse);
        CommandResult originalAgain = applying().handle(Commands.sign(original));

        assertEquals(CommandStatus.REJECTED, refused.getStatus());
        assertTrue(refused.getReason().contains("already names another command"), refused.getReason());
        assertEquals("1000", host.read("sys/class/net/tun0/tx_queue_len"));
        assertEquals(first, originalAgain, "the refusal did not replace what the id is remembered for");
    }

    @Test
    void aForgedCommandWithAKnownIdCannotTakeTheIdOver() {
        TuningCommand.Builder original = planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        String id = original.getCommandId();
        TuningCommand forged = CommandSigner.of(Commands.STRANGER).sign(planner.builder(TuningAction.TXQUEUELEN,
                "tun0", "500", "4000").setCommandId(id).build());

        CommandResult forgedFirst = applying().handle(forged);
        CommandResult real = applying().handle(Commands.sign(original));

        assertEquals(CommandStatus.REJECTED, forgedFirst.getStatus());
        assertTrue(forgedFirst.getReason().startsWith("signature"), forgedFirst.getReason());
        assertEquals(CommandStatus.APPLIED, real.getStatus(), real.getReason());
    }

    @Test
    void aCommandCutOffAfterItsWriteFindsTheNewValueOnTheKernelAndReportsItApplied() throws IOException {
        TuningCommand command = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        crashedAfterWrite(command, () -> FakeHost.file(host.sys, "class/net/tun0/tx_queue_len", "1000"));
        Map<String, String> before = host.snapshot();
        CommandExecutor restarted = applying();

        CommandResult result = restarted.handle(command);

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().contains("found in place"), result.getReason());
        assertEquals("500", result.getValueBefore());
        assertEquals("1000", result.getValueAfter());
        assertEquals(before, host.snapshot(), "nothing is written again");
        assertEquals(1, restarted.counts().of(Delivery.RESUMED));
        assertTrue(Files.readAllLines(restarted.auditLog()).get(0).contains("\"delivery\":\"resumed\""));
        // the change is recorded, so the planner's rollback of it is accepted and restores 500
        CommandResult rollback = restarted.handle(Commands.sign(planner.builder(TuningAction.TXQUEUELEN, "tun0",
                "1000", "500").setRollbackOf(command.getCommandId())));
        assertEquals(CommandStatus.ROLLED_BACK, rollback.getStatus(), rollback.getReason());
        assertEquals("500", host.read("sys/class/net/tun0/tx_queue_len"));
    }

    @Test
    void aCommandCutOffBeforeItsWriteIsAppliedWhenItComesAgain() {
        TuningCommand command = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        crashedAfterWrite(command, () -> { });

        CommandResult result = applying().handle(command);

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertTrue(result.getReason().startsWith("changed"), result.getReason());
        assertEquals("1000", host.read("sys/class/net/tun0/tx_queue_len"));
    }

    @Test
    void aCommandCutOffWhileSomeoneElseChangedTheSettingIsRefusedByCompareAndSet() {
        TuningCommand command = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        crashedAfterWrite(command, () -> FakeHost.file(host.sys, "class/net/tun0/tx_queue_len", "700"));

        CommandResult result = applying().handle(command);

        assertEquals(CommandStatus.REJECTED, result.getStatus());
        assertTrue(result.getReason().startsWith("compare-and-set"), result.getReason());
        assertEquals("700", host.read("sys/class/net/tun0/tx_queue_len"));
    }

    @Test
    void aSetOfIrqsCutOffHalfwayIsCompletedWhenItComesAgain() {
        TuningCommand command = planner.signed(TuningAction.IRQ_AFFINITY, "45,46,47", "0;0-1;0", "1;2;3");
        crashedAfterWrite(command, () -> FakeHost.file(host.proc, "irq/45/smp_affinity_list", "1"));

        CommandResult result = applying().handle(command);

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals("0;0-1;0", result.getValueBefore(), "what the command expected, not the half-written set");
        assertEquals(List.of("1", "2", "3"), List.of(host.read("proc/irq/45/smp_affinity_list"),
                host.read("proc/irq/46/smp_affinity_list"), host.read("proc/irq/47/smp_affinity_list")));
    }

    @Test
    void anExpiredCommandCutOffBeforeItsWriteIsNotWrittenLate() {
        TuningCommand command = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        crashedAfterWrite(command, () -> { });
        Clock muchLater = Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC);

        CommandResult result = new CommandExecutor(settings(false), Commands.trusting(), muchLater).handle(command);

        assertEquals(CommandStatus.EXPIRED, result.getStatus(), result.getReason());
        assertEquals("500", host.read("sys/class/net/tun0/tx_queue_len"));
    }

    @Test
    void anExpiredCommandCutOffAfterItsWriteIsStillReportedApplied() {
        TuningCommand command = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        crashedAfterWrite(command, () -> FakeHost.file(host.sys, "class/net/tun0/tx_queue_len", "1000"));
        Clock muchLater = Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC);

        CommandResult result = new CommandExecutor(settings(false), Commands.trusting(), muchLater).handle(command);

        assertEquals(CommandStatus.APPLIED, result.getStatus(), "the change is on the kernel: the planner must "
                + "verify it: " + result.getReason());
    }

    /**
     * The state a crash leaves when it kills the agent after the command was taken on and admitted, and after
     * {@code write} did (or did not do) the kernel write: no result, no change, no audit line.
     */
    private void crashedAfterWrite(TuningCommand command, Runnable write) {
        new HandledCommands(dir.resolve("state")).begin(command.getCommandId(), HandledCommands.digest(command));
        try {
            new ReplayGuard(dir.resolve("state")).admit(command.getKeyId(), command.getCommandId(),
                    command.getSequence());
        } catch (Refusal r) {
            throw new AssertionError(r);
        }
        write.run();
    }

    @Test
    void thePlannersCommandIdsWithSlashesAreAcceptedAndIdsWithSpacesAreNot() {
        CommandExecutor executor = applying();

        CommandResult planners = executor.handle(Commands.sign(planner.builder(TuningAction.RPS_CPUS, "tun0/rx-0",
                "0", "3").setCommandId("gw-ams-01:softirq:tun0/rps_cpus/tun0/rx-0/1748779200000")));
        CommandResult spaced = executor.handle(Commands.sign(planner.builder(TuningAction.TXQUEUELEN, "tun0", "500",
                "1000").setCommandId("cmd 1")));

        assertEquals(CommandStatus.APPLIED, planners.getStatus(), planners.getReason());
        assertEquals(CommandStatus.REJECTED, spaced.getStatus());
        assertTrue(spaced.getReason().contains("command id"), spaced.getReason());
    }

    @Test
    void aNewIdWithAnOldSequenceIsAReplayToo() {
        CommandExecutor executor = applying();
        TuningCommand.Builder first = planner.builder(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        long sequence = first.getSequence();
        executor.handle(Commands.sign(first));

        CommandResult result = applying().handle(Commands.sign(planner.builder(TuningAction.TXQUEUELEN, "tun0",
                "1000", "2000").setSequence(sequence)));

        assertEquals(CommandStatus.REJECTED, result.getStatus());
        assertTrue(result.getReason().contains("sequence " + sequence + " is not above"), result.getReason());
        assertEquals("1000", host.read("sys/class/net/tun0/tx_queue_len"));
    }

    // ---- ethtool ----

    @Test
    void coalescingRunsEthtoolAsAnArgumentListAndReadsItBack() throws IOException {
        Path bin = dir.resolve("sbin/ethtool");
        Path argv = dir.resolve("ethtool-argv");
        Path state = dir.resolve("ethtool-rx-usecs");
        Files.writeString(state, "3\n");
        Files.createDirectories(bin.getParent());
        // a stand-in for ethtool: -c prints the coalescing block, -C records its arguments one per line
        Files.writeString(bin, "#!/bin/sh\n"
                + "if [ \"$1\" = -c ]; then echo \"Coalesce parameters for $2:\"; echo \"rx-usecs: $(cat " + state
                + ")\"; exit 0; fi\n"
                + "for a in \"$@\"; do echo \"$a\" >> " + argv + "; done\n"
                + "echo \"$4\" > " + state + "\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        CommandExecutor executor = new CommandExecutor(settings(false).withEthtoolLocations(
                List.of(dir.resolve("none/ethtool"), bin)), Commands.trusting(), CLOCK);

        CommandResult result = executor.handle(planner.signed(TuningAction.COALESCE_RX_USECS, "eth0", "3", "100"));

        assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        assertEquals("3", result.getValueBefore());
        assertEquals("100", result.getValueAfter());
        assertEquals(List.of("-C", "eth0", "rx-usecs", "100"), Files.readAllLines(argv));
    }

    // ---- the audit log ----

    @Test
    void everyCommandLeavesOneJsonLineInTheAuditLog() throws IOException {
        CommandExecutor executor = applying();
        TuningCommand applied = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000");
        TuningCommand refused = planner.signed(TuningAction.TXQUEUELEN, "tun0\"/x", "500", "1000");
        executor.handle(applied);
        executor.handle(refused);

        List<String> lines = Files.readAllLines(executor.auditLog());

        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("{\"time\":\"2025-06-01T12:00:00Z\",\"commandId\":\""
                + applied.getCommandId() + "\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"status\":\"APPLIED\",\"outcome\":\"changed "), lines.get(0));
        assertTrue(lines.get(0).contains("\"valueBefore\":\"500\",\"valueAfter\":\"1000\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"target\":\"tun0\\\"/x\""), lines.get(1));
        assertTrue(lines.get(1).contains("\"status\":\"REJECTED\""), lines.get(1));
    }

    @Test
    void theAllowlistOfAFreshAgentHasEveryKnownActionButUnknown() {
        Set<TuningAction> all = ExecutorSettings.allActions();
        assertEquals(TuningAction.values().length - 1, all.size());
        assertTrue(!all.contains(TuningAction.UNKNOWN));
    }

}

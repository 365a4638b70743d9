package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.cpu.CpuMask;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor on this machine's real kernel, inside a network namespace of the test's own: a separate JVM under
 * {@code ip netns exec}, so its /sys/class/net and /proc/sys/net are the namespace's. The kernel's view is checked
 * with {@code ip link} and sysfs reads from inside the namespace.
 */
class NamespaceApplyIT {

    private static final String HOST = "gw-netns";
    private static final AvroCodec<TuningCommand> COMMANDS = AvroCodec.of(TuningCommand.class);
    private static final AvroCodec<CommandResult> RESULTS = AvroCodec.of(CommandResult.class);

    @TempDir
    Path dir;
    private NetNamespace ns;
    private Path publicKey;
    private final Commands planner = new Commands(HOST, System.currentTimeMillis());

    @BeforeAll
    static void needsRoot() {
        assertTrue(NetNamespace.available(),
                "these tests create network namespaces: run them as root with iproute2 installed (./tunnelvision test does)");
    }

    @BeforeEach
    void givenANamespaceWithTunVethAndVxlan() throws IOException {
        ns = NetNamespace.create();
        publicKey = dir.resolve("planner.pub.pem");
        Files.writeString(publicKey, Ed25519Keys.toPem(Commands.PLANNER.getPublic()));
    }

    @AfterEach
    void removeTheNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void txqueuelenMtuRpsAndRpFilterAreAppliedForRealAndTheKernelAgrees() throws Exception {
        String rpFilter = ns.cat("/proc/sys/net/ipv4/conf/tun0/rp_filter");
        String newRpFilter = rpFilter.equals("1") ? "2" : "1";

        List<CommandResult> results = runExecutor(false,
                planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "1000"),
                planner.signed(TuningAction.MTU, "tun0", "1500", "1400"),
                planner.signed(TuningAction.RPS_CPUS, "tun0/rx-0", "0", "1"),
                planner.signed(TuningAction.RPS_FLOW_CNT, "tun0/rx-0", "0", "256"),
                planner.signed(TuningAction.RP_FILTER, "tun0", rpFilter, newRpFilter),
                planner.signed(TuningAction.TXQUEUELEN, "va", "1000", "2000"),
                planner.signed(TuningAction.MTU, "vx0", "1450", "1400"));

        for (CommandResult result : results) {
            assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        }
        String tun0 = ns.ip("link", "show", "tun0");
        assertTrue(tun0.contains("mtu 1400 ") && tun0.contains("qlen 1000"), tun0);
        assertTrue(ns.ip("link", "show", "va").contains("qlen 2000"));
        assertTrue(ns.ip("link", "show", "vx0").contains("mtu 1400 "));
        assertEquals(CpuMask.format(bits(0), possibleCpus()), ns.cat("/sys/class/net/tun0/queues/rx-0/rps_cpus"));
        assertEquals("256", ns.cat("/sys/class/net/tun0/queues/rx-0/rps_flow_cnt"));
        assertEquals(newRpFilter, ns.cat("/proc/sys/net/ipv4/conf/tun0/rp_filter"));
        assertEquals(List.of("1500", "1400"), List.of(results.get(1).getValueBefore(), results.get(1).getValueAfter()));
    }

    @Test
    void refusedCommandsLeaveTheNamespaceAsItWas() throws Exception {
        Map<String, String> before = kernelView();
        int possible = possibleCpus();
        BitSet beyond = bits(possible);
        List<TuningCommand> commands = new ArrayList<>(List.of(
                planner.signed(TuningAction.RPS_CPUS, "tun0/rx-0", "0",
                        CpuMask.format(beyond, possible + 1)),
                planner.signed(TuningAction.RPS_CPUS, "tun0/rx-0", "0", "0,1"),
                planner.signed(TuningAction.TXQUEUELEN, "tun0/../../", "500", "1000"),
                planner.signed(TuningAction.TXQUEUELEN, "tun0", "1000", "2000"),
                planner.signed(TuningAction.MTU, "tun0", "1500", "100000"),
                planner.signed(TuningAction.UNKNOWN, "tun0", "1500", "1400"),
                CommandSigner.of(Commands.STRANGER).sign(planner.builder(TuningAction.MTU, "tun0", "1500", "1400")
                        .build()),
                Commands.sign(planner.builder(TuningAction.MTU, "tun0", "1500", "1400").setHostId("gw-other")),
                Commands.sign(planner.builder(TuningAction.MTU, "tun0", "1500", "1400")
                        .setIssuedAtMs(1_000).setExpiresAtMs(2_000))));
        TuningCommand forged = planner.signed(TuningAction.MTU, "tun0", "1500", "1400");
        forged.setNewValue("9000");
        commands.add(forged);
        if (possible < 4) {
            // the manual's "echo f > rps_cpus", on a host with fewer than four CPUs
            commands.add(planner.signed(TuningAction.RPS_CPUS, "tun0/rx-0", "0", "f"));
        }

        List<CommandResult> results = runExecutor(false, commands.toArray(TuningCommand[]::new));

        for (CommandResult result : results) {
            assertTrue(result.getStatus() == CommandStatus.REJECTED || result.getStatus() == CommandStatus.EXPIRED,
                    result.getStatus() + ": " + result.getReason());
        }
        assertTrue(results.get(0).getReason().contains("not online"), results.get(0).getReason());
        assertTrue(results.get(1).getReason().contains("EOVERFLOW"), results.get(1).getReason());
        assertEquals(before, kernelView());
    }

    @Test
    void whatTheKernelRefusesIsReportedAsFailedWithItsErrno() throws Exception {
        // a vxlan's MTU is limited by its lower device (va, 1500) less the encapsulation: 9000 is within the
        // configured bounds but not the device's, which sysfs cannot tell beforehand
        List<CommandResult> results = runExecutor(false, planner.signed(TuningAction.MTU, "vx0", "1450", "9000"));

        assertEquals(CommandStatus.FAILED, results.get(0).getStatus());
        assertTrue(results.get(0).getReason().contains("EINVAL"), results.get(0).getReason());
        assertEquals("1450", results.get(0).getValueAfter());
        assertTrue(ns.ip("link", "show", "vx0").contains("mtu 1450 "));
    }

    @Test
    void aRedeliveryAfterARestartGetsTheFirstResultWithoutAWriteAndARollbackRestoresTheValueBefore()
            throws Exception {
        TuningCommand change = planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "3000");
        CommandResult first = runExecutor(false, change).get(0);
        assertEquals(CommandStatus.APPLIED, first.getStatus(), first.getReason());
        ns.ip("link", "set", "dev", "tun0", "txqueuelen", "500"); // someone else sets it back

        CommandResult again = runExecutor(false, change).get(0);
        assertEquals(first, again, "a redelivery to a new process gets the first result, as it was");
        assertTrue(ns.ip("link", "show", "tun0").contains("qlen 500"), "and the kernel is not written again");

        ns.ip("link", "set", "dev", "tun0", "txqueuelen", "3000");
        CommandResult rollback = runExecutor(false, Commands.sign(planner.builder(TuningAction.TXQUEUELEN, "tun0",
                "3000", "500").setRollbackOf(change.getCommandId()))).get(0);
        assertEquals(CommandStatus.ROLLED_BACK, rollback.getStatus(), rollback.getReason());
        assertTrue(ns.ip("link", "show", "tun0").contains("qlen 500"));
    }

    @Test
    void inDryRunModeTheAgentReportsAndTheKernelIsUntouched() throws Exception {
        Map<String, String> before = kernelView();

        CommandResult result = runExecutor(true, planner.signed(TuningAction.MTU, "tun0", "1500", "1400")).get(0);

        assertEquals(CommandStatus.DRY_RUN, result.getStatus());
        assertTrue(result.getReason().contains("from 1500 to 1400"), result.getReason());
        assertEquals(before, kernelView());
    }

    /** Runs the executor in the namespace over {@code commands}, with the state directory of this test. */
    private List<CommandResult> runExecutor(boolean dryRun, TuningCommand... commands) throws IOException {
        Path in = Files.createTempFile(dir, "commands", ".txt");
        Path out = dir.resolve("results-" + System.nanoTime() + ".txt");
        List<String> lines = new ArrayList<>();
        for (TuningCommand c : commands) {
            lines.add(Base64.getEncoder().encodeToString(COMMANDS.encode(c)));
        }
        Files.write(in, lines);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String log = ns.exec(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classpath, InNamespaceExecutor.class.getName(),
                HOST, dir.resolve("state").toString(), publicKey.toString(), Boolean.toString(dryRun),
                in.toString(), out.toString()));
        assertTrue(Files.exists(out), "the executor wrote no results:\n" + log);
        List<CommandResult> results = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            results.add(RESULTS.decode(Base64.getDecoder().decode(line)));
        }
        assertEquals(commands.length, results.size(), log);
        return results;
    }

    /** Everything the tests could change, as the kernel reports it. */
    private Map<String, String> kernelView() {
        Map<String, String> view = new LinkedHashMap<>();
        view.put("ip link", ns.ip("-d", "link", "show").replaceAll("link/ether \\S+", ""));
        for (String dev : List.of("tun0", "va", "vb", "vx0")) {
            view.put(dev + " rps_cpus", ns.cat("/sys/class/net/" + dev + "/queues/rx-0/rps_cpus"));
            view.put(dev + " rps_flow_cnt", ns.cat("/sys/class/net/" + dev + "/queues/rx-0/rps_flow_cnt"));
            view.put(dev + " rp_filter", ns.cat("/proc/sys/net/ipv4/conf/" + dev + "/rp_filter"));
        }
        return view;
    }

    private static int possibleCpus() throws IOException {
        return CpuList.parse(Files.readString(Path.of("/sys/devices/system/cpu/possible"))).length();
    }

    private static BitSet bits(int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            set.set(cpu);
        }
        return set;
    }
}

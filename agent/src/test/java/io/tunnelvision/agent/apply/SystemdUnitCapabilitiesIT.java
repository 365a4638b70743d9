package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The capability set the shipped systemd unit grants is enough, and what it leaves out is needed: the executor
 * runs as an unprivileged user (nobody) inside a network namespace with exactly the unit's ambient capabilities
 * (read from the unit file), then with CAP_NET_ADMIN alone.
 */
class SystemdUnitCapabilitiesIT {

    static final Path UNIT = Path.of("src/main/dist/systemd/tunnelvision-agent.service");
    private static final String NOBODY = "65534";
    private static final AvroCodec<TuningCommand> COMMANDS = AvroCodec.of(TuningCommand.class);
    private static final AvroCodec<CommandResult> RESULTS = AvroCodec.of(CommandResult.class);

    private static Path dir;
    private static String classpath;
    private static NetNamespace ns;
    private final Commands planner = new Commands("gw-caps", System.currentTimeMillis());

    @BeforeAll
    static void copyTheClasspathWhereNobodyCanReadIt() throws IOException {
        assertTrue(NetNamespace.available(),
                "these tests create network namespaces: run them as root with iproute2 installed (./tunnelvision test does)");
        assertTrue(!NetNamespace.run(List.of("sh", "-c", "command -v setpriv || true")).isBlank(),
                "setpriv (util-linux) runs the executor with a chosen capability set");
        dir = Files.createTempDirectory("tv-caps-");
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = dir.resolve("cp").resolve(i++ + "-" + source.getFileName());
            copy(source, target);
            entries.add(target.toString());
        }
        classpath = String.join(File.pathSeparator, entries);
        NetNamespace.run(List.of("chmod", "-R", "a+rX", dir.toString()));
        ns = NetNamespace.create();
    }

    @AfterAll
    static void cleanUp() {
        if (ns != null) {
            ns.close();
        }
        if (dir != null) {
            NetNamespace.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    @Test
    void theUnitsCapabilitiesAreExactlyNetAdminAndDacOverrideAndTheUserIsNotRoot() throws IOException {
        assertEquals(List.of("CAP_DAC_OVERRIDE", "CAP_NET_ADMIN"), unitCapabilities("AmbientCapabilities"));
        assertEquals(List.of("CAP_DAC_OVERRIDE", "CAP_NET_ADMIN"), unitCapabilities("CapabilityBoundingSet"));
        List<String> lines = Files.readAllLines(UNIT);
        assertTrue(lines.contains("DynamicUser=yes") && lines.stream().noneMatch(l -> l.startsWith("User=root")));
        assertTrue(lines.contains("NoNewPrivileges=yes"));
    }

    @Test
    void withTheUnitsCapabilitiesAnUnprivilegedUserAppliesEveryInterfaceSetting() throws IOException {
        String rpFilter = ns.cat("/proc/sys/net/ipv4/conf/tun0/rp_filter");
        String caps = String.join(",", unitCapabilities("AmbientCapabilities"));
        ns.ip("link", "set", "vb", "up"); // a veth that is up has its default root, noqueue

        List<CommandResult> results = runAsNobody(caps, "with-unit-caps",
                planner.signed(TuningAction.TXQUEUELEN, "tun0", "500", "800"),
                planner.signed(TuningAction.MTU, "tun0", "1500", "1380"),
                planner.signed(TuningAction.RPS_CPUS, "tun0/rx-0", "0", "1"),
                planner.signed(TuningAction.RP_FILTER, "tun0", rpFilter, rpFilter.equals("2") ? "1" : "2"),
                planner.signed(TuningAction.ROOT_QDISC, "vb", "noqueue", "pfifo_fast"));

        for (CommandResult result : results) {
            assertEquals(CommandStatus.APPLIED, result.getStatus(), result.getReason());
        }
        String link = ns.ip("link", "show", "tun0");
        assertTrue(link.contains("mtu 1380 ") && link.contains("qlen 800"), link);
        // tc qdisc replace is an rtnetlink request that CAP_NET_ADMIN lets through
        String root = ns.exec(List.of("tc", "-j", "qdisc", "show", "dev", "vb", "root"));
        assertTrue(root.contains("\"kind\":\"pfifo_fast\""), root);
    }

    @Test
    void withNetAdminAloneSysfsCannotBeOpenedButNetSysctlsCanBeWritten() throws IOException {
        String txqueuelen = ns.cat("/sys/class/net/va/tx_queue_len");
        String rpFilter = ns.cat("/proc/sys/net/ipv4/conf/va/rp_filter");

        List<CommandResult> results = runAsNobody("CAP_NET_ADMIN", "net-admin-only",
                planner.signed(TuningAction.TXQUEUELEN, "va", txqueuelen, "1500"),
                planner.signed(TuningAction.RP_FILTER, "va", rpFilter, rpFilter.equals("2") ? "1" : "2"));

        assertEquals(CommandStatus.FAILED, results.get(0).getStatus(), results.get(0).getReason());
        assertTrue(results.get(0).getReason().contains("EACCES"), results.get(0).getReason());
        assertEquals(txqueuelen, ns.cat("/sys/class/net/va/tx_queue_len"));
        assertEquals(CommandStatus.APPLIED, results.get(1).getStatus(), results.get(1).getReason());
    }

    /** The capabilities a line of the unit names, sorted. */
    static List<String> unitCapabilities(String key) throws IOException {
        return Files.readAllLines(UNIT).stream().filter(l -> l.startsWith(key + "="))
                .flatMap(l -> Arrays.stream(l.substring(key.length() + 1).trim().split("\\s+")))
                .sorted().collect(Collectors.toList());
    }

    private List<CommandResult> runAsNobody(String capabilities, String name, TuningCommand... commands)
            throws IOException {
        Path work = Files.createDirectories(dir.resolve(name));
        Path key = work.resolve("planner.pub.pem");
        Files.writeString(key, Ed25519Keys.toPem(Commands.PLANNER.getPublic()));
        Path in = work.resolve("commands.txt");
        List<String> lines = new ArrayList<>();
        for (TuningCommand c : commands) {
            lines.add(Base64.getEncoder().encodeToString(COMMANDS.encode(c)));
        }
        Files.write(in, lines);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        NetNamespace.run(List.of("chown", "-R", NOBODY + ":" + NOBODY, work.toString()));
        String caps = Arrays.stream(capabilities.split(","))
                .map(c -> "+" + c.toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""))
                .collect(Collectors.joining(","));
        Path out = work.resolve("results.txt");
        String log = ns.exec(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "--inh-caps=-all," + caps, "--ambient-caps=-all," + caps, "--bounding-set=-all," + caps,
                "--no-new-privs",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", classpath, InNamespaceExecutor.class.getName(), "gw-caps", work.resolve("state").toString(),
                key.toString(), "false", in.toString(), out.toString()));
        assertTrue(Files.exists(out), "the executor wrote no results:\n" + log);
        List<CommandResult> results = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            results.add(RESULTS.decode(Base64.getDecoder().decode(line)));
        }
        return results;
    }

    private static void copy(Path source, Path target) throws IOException {
        if (Files.isRegularFile(source)) {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}

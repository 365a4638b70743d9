package io.tunnelvision.agent.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.config.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's Debian package, built from the shaded jar by {@code src/main/dist/deb/build-deb.sh}: its control
 * data and files, lintian and shellcheck on it, then install, upgrade, remove and purge with the real dpkg on a
 * private root ({@code dpkg-root.sh}: a mount namespace, this machine's /usr under an overlay, an empty dpkg
 * database), never on this machine. The maintainer scripts run chrooted there; a stand-in systemctl records
 * what they ask of systemd, and {@code /run/systemd/system} in the root says whether systemd "runs".
 */
class DebPackageIT {

    private static final Path DIST = Path.of("src/main/dist");
    private static final Path JAR = Path.of("target/tunnelvision-agent.jar");
    private static final String UNIT = "tunnelvision-agent.service";
    private static final Pattern VARIABLE = Pattern.compile("^#?([A-Z][A-Z0-9_]*)=(.*)$", Pattern.MULTILINE);

    private static Path work;
    private static Path deb;
    private static Path script;

    @BeforeAll
    static void buildThePackage() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is missing: failsafe runs after package, run"
                + " `mvn -pl agent verify` rather than failsafe alone");
        for (String tool : List.of("dpkg-deb", "dpkg", "unshare", "lintian", "shellcheck")) {
            assertEquals(0, run(List.of("sh", "-c", "command -v " + tool)).exit(), tool + " is not installed"
                    + " (./tunnelvision test installs it)");
        }
        work = Files.createTempDirectory("tv-deb-");
        Result build = run(List.of("bash", DIST.resolve("deb/build-deb.sh").toString(), JAR.toString(),
                work.resolve("out").toString()));
        assertEquals(0, build.exit(), "build-deb.sh failed: " + build.output());
        deb = Path.of(build.output().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertTrue(Files.isRegularFile(deb), "build-deb.sh printed no package: " + build.output());
        script = work.resolve("dpkg-root.sh");
        try (InputStream in = DebPackageIT.class.getResourceAsStream("dpkg-root.sh")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void controlNamesTheJavaRuntimeAndEthtoolItNeeds() throws Exception {
        assertEquals("tunnelvision-agent", field("Package"));
        assertEquals("all", field("Architecture"), "a jar runs on every architecture");
        assertTrue(field("Version").matches("\\d+\\.\\d+\\.\\d+(~SNAPSHOT)?"),
                "the version follows the jar's, a snapshot sorting before its release: " + field("Version"));
        assertEquals("default-jre-headless (>= 2:1.17) | java17-runtime-headless, ethtool", field("Depends"));
        assertEquals("/etc/tunnelvision/agent.env", control("conffiles").strip(),
                "the settings file must be a conffile, so an upgrade keeps the administrator's edits");
    }

    @Test
    void thePackageHoldsTheJarTheUnitTheSettingsAndTheKeysDirectory() throws Exception {
        Map<String, String> modes = new LinkedHashMap<>();
        for (String line : run(List.of("dpkg-deb", "-c", deb.toString())).output().split("\n")) {
            String[] columns = line.trim().split("\\s+");
            assertEquals("root/root", columns[1], "every file belongs to root: " + line);
            modes.put(columns[5].replaceFirst("^\\./", "/"), columns[0]);
        }
        assertEquals("-rw-r--r--", modes.get("/opt/tunnelvision/tunnelvision-agent.jar"), "the jar: " + modes);
        assertEquals("-rw-r--r--", modes.get("/usr/lib/systemd/system/" + UNIT), "the unit: " + modes);
        assertEquals("-rw-r--r--", modes.get("/etc/tunnelvision/agent.env"), "the settings: " + modes);
        assertEquals("drwxr-xr-x", modes.get("/etc/tunnelvision/trusted-keys/"), "the keys directory: " + modes);

        Path tree = work.resolve("contents");
        assertEquals(0, run(List.of("dpkg-deb", "-x", deb.toString(), tree.toString())).exit());
        assertArrayEquals(Files.readAllBytes(JAR), Files.readAllBytes(tree.resolve("opt/tunnelvision/tunnelvision-agent.jar")),
                "the package's jar is not the one built");
        String unit = Files.readString(tree.resolve("usr/lib/systemd/system/" + UNIT));
        assertEquals(Files.readString(DIST.resolve("systemd/" + UNIT)), unit, "the package's unit differs from "
                + "the one the unit tests check");
        assertTrue(unit.contains("EnvironmentFile=-/etc/tunnelvision/agent.env"), "the unit does not read the"
                + " package's settings file");
        assertTrue(unit.contains("-jar /opt/tunnelvision/tunnelvision-agent.jar"), "the unit runs another jar");
        assertTrue(unit.contains("TUNNELVISION_AGENT_TRUSTED_KEYS_DIR=/etc/tunnelvision/trusted-keys"),
                "the unit trusts keys from another directory than the package makes");
    }

    @Test
    void theSettingsFileCarriesTheMeasuredJvmFlagsAndOnlySettingsTheAgentReads() throws Exception {
        Path tree = work.resolve("settings");
        assertEquals(0, run(List.of("dpkg-deb", "-x", deb.toString(), tree.toString())).exit());
        String env = Files.readString(tree.resolve("etc/tunnelvision/agent.env"));
        Map<String, String> jvm = variables(Files.readString(DIST.resolve("agent-jvm.env")), false);
        assertEquals(jvm, Map.of("JAVA_OPTS", jvm.get("JAVA_OPTS"), "MALLOC_ARENA_MAX", "2"));
        assertTrue(jvm.get("JAVA_OPTS").contains("-Xmx16m"), "the measured heap (agent/README.md)");
        Map<String, String> active = variables(env, false);
        assertEquals(jvm.get("JAVA_OPTS"), active.get("JAVA_OPTS"), "the package's JVM flags are not the measured"
                + " ones of agent-jvm.env");
        assertEquals("2", active.get("MALLOC_ARENA_MAX"));
        assertEquals("true", active.get(AgentConfig.DRY_RUN.env()), "a fresh install changes nothing on the host");

        Set<String> known = AgentConfig.settings().stream().map(Setting::env).collect(Collectors.toSet());
        Set<String> unknown = new TreeSet<>(variables(env, true).keySet());
        unknown.removeAll(known);
        unknown.removeAll(jvm.keySet());
        assertEquals(Set.of(), unknown, "agent.env names settings the agent does not read");
        for (String line : env.split("\n")) {
            assertFalse(line.endsWith("\\"), "systemd does not continue lines in environment files: " + line);
        }
    }

    @Test
    void lintianAndShellcheckFindNothing() throws Exception {
        Result lintian = run(List.of("lintian", "--fail-on", "error,warning", deb.toString()));
        String findings = lintian.output().lines().filter(l -> !l.contains("root privileges"))
                .collect(Collectors.joining("\n"));
        assertEquals(0, lintian.exit(), "lintian: " + findings);
        assertEquals("", findings.strip(), "lintian");
        List<String> shellcheck = new ArrayList<>(List.of("shellcheck"));
        for (String file : List.of("postinst", "prerm", "postrm", "build-deb.sh")) {
            shellcheck.add(DIST.resolve("deb/" + file).toString());
        }
        shellcheck.add(script.toString());
        Result check = run(shellcheck);
        assertEquals(0, check.exit(), "shellcheck: " + check.output());
    }

    @Test
    void installWithoutKeysStartsNothingAndRemoveThenPurgeTakeTheStateAway() throws Exception {
        Path dir = newRoot();
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("run/systemd/system"));

        Result install = dpkg(dir, "-i", deb.toString());
        assertEquals(0, install.exit(), install.output());
        assertTrue(install.output().contains("not started, no planner key"), "install should say why the agent is"
                + " not running: " + install.output());
        assertEquals(List.of("daemon-reload"), systemctlCalls(root), "without a key nothing is enabled or started");
        assertTrue(Files.isRegularFile(root.resolve("opt/tunnelvision/tunnelvision-agent.jar")));
        assertTrue(Files.isRegularFile(dir.resolve("usr-upper/lib/systemd/system/" + UNIT)), "the unit is not"
                + " installed under /usr/lib/systemd/system");
        assertTrue(Files.readString(root.resolve("var/lib/dpkg/status")).contains("Status: install ok installed"));

        // the administrator configures it; the agent ran and left state (DynamicUser= keeps it in private/)
        Path env = root.resolve("etc/tunnelvision/agent.env");
        Files.writeString(env, Files.readString(env) + "TUNNELVISION_KAFKA_BOOTSTRAP=kafka-1.example.org:9093\n");
        Files.writeString(root.resolve("etc/tunnelvision/trusted-keys/planner.pub.pem"), "a public key\n");
        Path state = Files.createDirectories(root.resolve("var/lib/private/tunnelvision/executor"));
        Files.writeString(state.resolve("audit.log"), "applied\n");
        Files.createSymbolicLink(root.resolve("var/lib/tunnelvision"), Path.of("private/tunnelvision"));
        Files.createDirectories(root.resolve("etc/systemd/system/multi-user.target.wants"));
        Files.createSymbolicLink(root.resolve("etc/systemd/system/multi-user.target.wants/" + UNIT),
                Path.of("/usr/lib/systemd/system/" + UNIT));

        // upgrade (the same version again): the edits stay, a running agent restarts on the new jar
        Result upgrade = dpkg(dir, "-i", deb.toString());
        assertEquals(0, upgrade.exit(), upgrade.output());
        assertTrue(Files.readString(env).contains("kafka-1.example.org"), "the upgrade replaced the edited conffile");
        assertEquals(List.of("daemon-reload", "try-restart " + UNIT), systemctlCalls(root).subList(1, 3));

        Result remove = dpkg(dir, "-r", "tunnelvision-agent");
        assertEquals(0, remove.exit(), remove.output());
        List<String> calls = systemctlCalls(root);
        assertEquals(List.of("stop " + UNIT, "disable " + UNIT, "daemon-reload"), calls.subList(3, calls.size()),
                "remove must stop and disable the agent, then reload systemd");
        assertFalse(Files.exists(root.resolve("opt/tunnelvision/tunnelvision-agent.jar")), "remove left the jar");
        assertFalse(Files.exists(dir.resolve("usr-upper/lib/systemd/system/" + UNIT)), "remove left the unit");
        assertTrue(Files.isRegularFile(env), "remove (not purge) keeps the settings");
        assertTrue(Files.isRegularFile(state.resolve("audit.log")), "remove (not purge) keeps the state");

        Result purge = dpkg(dir, "-P", "tunnelvision-agent");
        assertEquals(0, purge.exit(), purge.output());
        assertFalse(Files.exists(env), "purge left the settings");
        assertFalse(Files.exists(root.resolve("var/lib/private/tunnelvision")), "purge left the state");
        assertFalse(Files.exists(root.resolve("var/lib/tunnelvision"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "purge left the state's link");
        assertFalse(Files.exists(root.resolve("etc/systemd/system/multi-user.target.wants/" + UNIT),
                java.nio.file.LinkOption.NOFOLLOW_LINKS), "purge left the unit enabled");
        assertTrue(Files.isRegularFile(root.resolve("etc/tunnelvision/trusted-keys/planner.pub.pem")),
                "purge removed a key the administrator put there");
        assertFalse(Files.readString(root.resolve("var/lib/dpkg/status")).contains("Package: tunnelvision-agent"),
                "dpkg still knows the package after purge");
    }

    @Test
    void installWithAKeyAlreadyInPlaceEnablesAndStartsTheAgent() throws Exception {
        Path dir = newRoot();
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("run/systemd/system"));
        Path keys = Files.createDirectories(root.resolve("etc/tunnelvision/trusted-keys"));
        Files.writeString(keys.resolve("planner.pub.pem"), "a public key\n");

        Result install = dpkg(dir, "-i", deb.toString());
        assertEquals(0, install.exit(), install.output());
        assertEquals(List.of("daemon-reload", "enable --now " + UNIT), systemctlCalls(root));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
    }

    @Test
    void installIntoAnImageWithoutSystemdOnlyEnablesTheAgent() throws Exception {
        Path dir = newRoot();
        Path root = dir.resolve("root");
        Path keys = Files.createDirectories(root.resolve("etc/tunnelvision/trusted-keys"));
        Files.writeString(keys.resolve("planner.pub.pem"), "a public key\n");

        Result install = dpkg(dir, "-i", deb.toString());
        assertEquals(0, install.exit(), install.output());
        assertEquals(List.of("enable " + UNIT), systemctlCalls(root), "without a running systemd nothing starts");
    }

    private static Path newRoot() throws Exception {
        Path dir = Files.createTempDirectory(work, "root-");
        Result init = run(List.of("bash", script.toString(), dir.toString(), "init"));
        assertEquals(0, init.exit(), init.output());
        return dir;
    }

    private static Result dpkg(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", script.toString(), dir.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private static List<String> systemctlCalls(Path root) throws IOException {
        Path log = root.resolve("var/log/systemctl.calls");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private static String field(String name) throws Exception {
        Result result = run(List.of("dpkg-deb", "-f", deb.toString(), name));
        assertEquals(0, result.exit(), result.output());
        return result.output().strip();
    }

    private static String control(String file) throws Exception {
        Path dir = work.resolve("control");
        if (!Files.isDirectory(dir)) {
            assertEquals(0, run(List.of("dpkg-deb", "-e", deb.toString(), dir.toString())).exit());
        }
        return Files.readString(dir.resolve(file));
    }

    /** NAME=value lines; with {@code commented}, also the {@code #NAME=value} examples. */
    private static Map<String, String> variables(String text, boolean commented) {
        Map<String, String> result = new LinkedHashMap<>();
        Matcher matcher = VARIABLE.matcher(text);
        while (matcher.find()) {
            if (commented || !matcher.group().startsWith("#")) {
                result.put(matcher.group(1), matcher.group(2));
            }
        }
        return result;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "still running: " + command);
        return new Result(process.exitValue(), output);
    }
}

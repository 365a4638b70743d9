package io.tunnelvision.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the shipped unit does about the reach of CAP_DAC_OVERRIDE, which it cannot drop
 * ({@link SystemdUnitCapabilitiesIT} shows it is needed; as root instead, the agent would read root's keys as their
 * owner): it hides the secrets the agent never needs. Tested as far as this machine allows. No systemd runs as
 * PID 1 here ({@code systemctl is-system-running} answers "offline"), so {@code systemd-run} cannot start the unit;
 * instead {@code systemd-analyze} reads the unit as systemd does (verify, and the offline exposure score), and the
 * masks are applied the way systemd applies them (an empty mode-000 node bind-mounted read-only over each path) in
 * a private mount namespace, over an overlay of this machine's /etc, /var and /root, so that the test can plant a
 * secret under every path without touching the real ones. A process with the unit's user and capabilities then
 * tries to read each secret, before and after.
 */
class SystemdUnitConfinementIT {

    private static final Path UNIT = SystemdUnitCapabilitiesIT.UNIT;
    /** The paths the issue names, and the other keys a VPN gateway keeps. */
    private static final List<String> MUST_HIDE = List.of("/etc/wireguard", "/etc/openvpn", "/etc/ssh",
            "/etc/ipsec.d", "/etc/ipsec.secrets", "/etc/swanctl", "/etc/shadow", "/etc/ssl/private",
            "/var/lib/tailscale", "/var/lib/zerotier-one");
    /** What the agent reads or writes: no mask may cover any of them. */
    private static final List<String> AGENT_NEEDS = List.of("/etc/tunnelvision/trusted-keys",
            "/etc/tunnelvision/agent.env", "/var/lib/tunnelvision/executor", "/var/lib/private/tunnelvision",
            "/usr/bin/java", "/usr/lib/jvm", "/etc/java-17-openjdk", "/etc/ssl/certs", "/etc/passwd", "/etc/group",
            "/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/localtime", "/usr/sbin/ethtool",
            "/proc/sys/net/core", "/sys/devices/virtual/net", "/proc/irq", "/proc/interrupts");
    /** Masked paths that are files, not directories, where they exist. */
    private static final Set<String> FILES = Set.of("/etc/ipsec.secrets", "/etc/shadow", "/etc/shadow-",
            "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd", "/etc/krb5.keytab");
    private static final String NOBODY = "65534";

    @TempDir
    Path dir;

    @Test
    void theUnitConfinesTheAgentWithEveryDirectiveThatFitsAndHidesTheSecretsItNeverNeeds() throws IOException {
        Map<String, String> unit = directives();
        for (String line : List.of("ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
                "PrivateMounts=yes", "NoNewPrivileges=yes", "DynamicUser=yes", "UMask=0077")) {
            String key = line.substring(0, line.indexOf('='));
            assertEquals(line.substring(key.length() + 1), unit.get(key), key);
        }
        assertEquals(List.of("AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"),
                words(unit.get("RestrictAddressFamilies")).stream().sorted().toList(),
                "Kafka and the metrics (inet), netlink for ethtool, unix for the JVM; nothing else");
        for (String writable : words(unit.get("ReadWritePaths"))) {
            String path = writable.replaceFirst("^-", "");
            assertTrue(path.startsWith("/sys/") || path.startsWith("/proc/"), "writable beyond the kernel's "
                    + "settings: " + writable);
        }

        List<String> hidden = inaccessiblePaths();
        assertTrue(hidden.containsAll(MUST_HIDE), "missing: " + MUST_HIDE.stream()
                .filter(p -> !hidden.contains(p)).toList());
        assertTrue(words(unit.get("InaccessiblePaths")).stream().allMatch(p -> p.startsWith("-/")),
                "every path is optional ('-'), or the unit would not start on a host without it");
        for (String needed : AGENT_NEEDS) {
            for (String p : hidden) {
                assertFalse(needed.equals(p) || needed.startsWith(p + "/"), p + " hides " + needed
                        + ", which the agent needs");
            }
        }
    }

    @Test
    void systemdAcceptsTheUnitWithoutAWarningAndRatesItsExposureAtMostTwoPointOne() throws Exception {
        // ExecStart points at a java this machine may keep elsewhere: verify the rest with a binary that is there
        Path copy = dir.resolve("tunnelvision-agent.service");
        Files.writeString(copy, Files.readString(UNIT).replaceFirst("(?m)^ExecStart=\\S+", "ExecStart=/bin/true"));

        Result verify = run(List.of("systemd-analyze", "verify", copy.toString()));
        Result security = run(List.of("systemd-analyze", "security", "--offline=true", "--no-pager",
                copy.toString()));

        assertEquals(0, verify.code(), verify.output());
        assertEquals("", verify.output().strip(), "systemd-analyze verify warns");
        Matcher score = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d)").matcher(security.output());
        assertTrue(score.find(), security.output());
        double exposure = Double.parseDouble(score.group(1));
        System.out.println("systemd-analyze security --offline: exposure " + exposure);
        assertTrue(exposure <= 2.1, "exposure " + exposure + ":\n" + security.output());
    }

    @Test
    void withTheUnitsCapabilitiesEverySecretIsReadableUntilTheUnitsMasksHideIt() throws Exception {
        assertTrue(NetNamespace.available(), "this test mounts in a namespace of its own: run it as root");
        List<String> masked = new ArrayList<>(inaccessiblePaths());
        if ("yes".equals(directives().get("ProtectHome"))) {
            masked.add("/root"); // what ProtectHome=yes masks, with /home and /run/user
        }
        String caps = SystemdUnitCapabilitiesIT.unitCapabilities("AmbientCapabilities").stream()
                .map(c -> "+" + c.toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""))
                .collect(Collectors.joining(","));
        String asAgent = "setpriv --reuid=" + NOBODY + " --regid=" + NOBODY + " --clear-groups --inh-caps=-all,"
                + caps + " --ambient-caps=-all," + caps + " --bounding-set=-all," + caps + " --no-new-privs";
        StringBuilder script = new StringBuilder("set -e\n");
        script.append("mkdir -m 000 ").append(dir.resolve("inaccessible-dir")).append('\n');
        script.append("install -m 000 /dev/null ").append(dir.resolve("inaccessible-reg")).append('\n');
        List<String> tops = List.of("/etc", "/var", "/root");
        for (String top : tops) {
            Path upper = dir.resolve("overlay" + top);
            script.append("mkdir -p ").append(upper).append("/u ").append(upper).append("/w\n");
            script.append("mount -t overlay overlay -o lowerdir=").append(top).append(",upperdir=").append(upper)
                    .append("/u,workdir=").append(upper).append("/w ").append(top).append('\n');
        }
        for (String p : masked) {
            String secret = FILES.contains(p) ? p : p + "/secret";
            if (!tops.contains(p)) { // the overlay's own mount point stays; the rest is planted afresh
                script.append("rm -rf ").append(p).append('\n');
            }
            if (!FILES.contains(p)) {
                script.append("mkdir -p -m 700 ").append(p).append('\n');
            }
            script.append("mkdir -p $(dirname ").append(secret).append(")\n");
            script.append("echo 'SECRET ").append(p).append("' > ").append(secret).append('\n');
            script.append("chown 0:0 ").append(secret).append(" && chmod 600 ").append(secret).append('\n');
            script.append("echo \"before ").append(p).append(" $(").append(asAgent).append(" cat ").append(secret)
                    .append(" 2>&1 || true)\"\n");
        }
        for (String p : masked) {
            String node = dir.resolve(FILES.contains(p) ? "inaccessible-reg" : "inaccessible-dir").toString();
            script.append("mount --bind ").append(node).append(' ').append(p).append('\n');
            script.append("mount -o remount,bind,ro ").append(p).append('\n');
        }
        for (String p : masked) {
            String secret = FILES.contains(p) ? p : p + "/secret";
            script.append("echo \"after ").append(p).append(" $(").append(asAgent).append(" cat ").append(secret)
                    .append(" 2>&1 || true)\"\n");
        }

        Result result = run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                script.toString()));

        assertEquals(0, result.code(), result.output());
        for (String p : masked) {
            String before = line(result.output(), "before " + p + " ");
            String after = line(result.output(), "after " + p + " ");
            assertTrue(before.contains("SECRET " + p), "CAP_DAC_OVERRIDE reads a root-only " + p + " when "
                    + "nothing hides it: " + before);
            assertFalse(after.contains("SECRET"), p + " is still readable behind the unit's mask: " + after);
        }
        System.out.println(masked.size() + " paths hidden from a process with " + caps);
    }

    /** Each InaccessiblePaths= entry of the unit, without the optional '-'. */
    private static List<String> inaccessiblePaths() throws IOException {
        return words(directives().get("InaccessiblePaths")).stream().map(p -> p.replaceFirst("^-", "")).toList();
    }

    /** The [Service] directives, a repeated key's values joined by a space, as systemd accumulates them. */
    private static Map<String, String> directives() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(UNIT)) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || line.startsWith("[") || eq < 0) {
                continue;
            }
            out.merge(line.substring(0, eq), line.substring(eq + 1).strip(), (a, b) -> a + " " + b);
        }
        return out;
    }

    private static List<String> words(String value) {
        return value == null ? List.of() : Arrays.stream(value.split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in:\n" + output));
    }

    private record Result(int code, String output) {
    }

    private static Result run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), argv + " did not end");
        return new Result(p.exitValue(), output);
    }
}

package io.tunnelvision.agent.apply;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interrupt coalescing has no sysfs file: it is set through the ethtool netlink API, which the JDK cannot speak,
 * so the agent runs the ethtool binary. Only from a fixed list of system directories (never $PATH, which a
 * service environment may not control), only as an argument list (never through a shell), with a clean
 * environment and a timeout.
 */
final class Ethtool {

    /** Where distributions install it; the agent looks nowhere else. */
    static final List<Path> STANDARD_LOCATIONS = List.of(Path.of("/usr/sbin/ethtool"), Path.of("/sbin/ethtool"),
            Path.of("/usr/bin/ethtool"), Path.of("/bin/ethtool"));
    private static final long TIMEOUT_SECONDS = 5;
    private static final Pattern RX_USECS = Pattern.compile("(?m)^rx-usecs:\\s*(\\S+)\\s*$");

    private final List<Path> locations;

    Ethtool(List<Path> locations) {
        this.locations = List.copyOf(locations);
    }

    /** The first executable ethtool in the fixed list. */
    Optional<Path> binary() {
        return locations.stream().filter(Files::isExecutable).findFirst();
    }

    List<Path> locations() {
        return locations;
    }

    /** The rx-usecs of {@code device} through {@code binary}. */
    SettingAccess rxUsecs(Path binary, String device) {
        return new SettingAccess() {
            @Override
            public String where() {
                return binary + " -C " + device + " rx-usecs";
            }

            @Override
            public String read() throws ApplyFailure {
                String out = run(List.of(binary.toString(), "-c", device), where());
                Matcher m = RX_USECS.matcher(out);
                if (!m.find() || !m.group(1).matches("\\d+")) {
                    throw new ApplyFailure("read", where(), "EOPNOTSUPP",
                            "the device reports no rx-usecs coalescing setting");
                }
                return m.group(1);
            }

            @Override
            public void write(String value) throws ApplyFailure {
                run(List.of(binary.toString(), "-C", device, "rx-usecs", value), where());
            }
        };
    }

    private static String run(List<String> argv, String where) throws ApplyFailure {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().put("LC_ALL", "C");
        try {
            Process process = builder.start();
            // ethtool prints about a kilobyte, far below a pipe's buffer, so waiting first cannot deadlock and
            // the timeout holds even if it hangs with its output open
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new ApplyFailure("run", where, "ETIMEDOUT", "ethtool did not finish in "
                        + TIMEOUT_SECONDS + "s");
            }
            byte[] output;
            try (InputStream in = process.getInputStream()) {
                output = in.readNBytes(64 * 1024);
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new ApplyFailure("run", where, "exit " + process.exitValue(),
                        InterfaceNames.printable(text.strip()));
            }
            return text;
        } catch (IOException e) {
            throw new ApplyFailure("run", where, "error", String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyFailure("run", where, "EINTR", "interrupted");
        }
    }
}

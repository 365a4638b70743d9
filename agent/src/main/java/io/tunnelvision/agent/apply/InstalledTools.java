package io.tunnelvision.agent.apply;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link ToolRunner}: the first executable of a fixed list of system directories per tool (never
 * {@code $PATH}, which a service environment may not control), run as an argument list (never through a shell),
 * with standard input from {@code /dev/null}, an environment of {@code LC_ALL=C} only (so the output is the
 * English layout the parsers read) and a 5 s timeout.
 */
public final class InstalledTools implements ToolRunner {

    /** Where distributions install each tool (ethtool's package, iproute2's); the agent looks nowhere else. */
    static final Map<Tool, List<Path>> STANDARD_LOCATIONS = Map.of(
            Tool.ETHTOOL, List.of(Path.of("/usr/sbin/ethtool"), Path.of("/sbin/ethtool"),
                    Path.of("/usr/bin/ethtool"), Path.of("/bin/ethtool")),
            Tool.TC, List.of(Path.of("/usr/sbin/tc"), Path.of("/sbin/tc"), Path.of("/usr/bin/tc"),
                    Path.of("/bin/tc")));
    private static final long TIMEOUT_SECONDS = 5;
    /** More than ethtool or tc print for one device (a kilobyte or two). */
    private static final int MAX_BYTES = 64 * 1024;

    private final Map<Tool, List<Path>> locations;

    private InstalledTools(Map<Tool, List<Path>> locations) {
        this.locations = Map.copyOf(locations);
    }

    public static InstalledTools standard() {
        return new InstalledTools(STANDARD_LOCATIONS);
    }

    /** The same, with {@code tool} looked for only at {@code paths} (tests: a stand-in, or none). */
    public InstalledTools with(Tool tool, List<Path> paths) {
        Map<Tool, List<Path>> changed = new EnumMap<>(locations);
        changed.put(tool, List.copyOf(paths));
        return new InstalledTools(changed);
    }

    /** The first executable {@code tool} of its fixed list. */
    Optional<Path> binary(Tool tool) {
        return locations.get(tool).stream().filter(Files::isExecutable).findFirst();
    }

    @Override
    public Optional<String> missing(Tool tool) {
        return binary(tool).isPresent() ? Optional.empty()
                : Optional.of(tool.command() + " is not installed (looked for " + locations.get(tool) + "; install "
                        + "the " + tool.debianPackage() + " package)");
    }

    @Override
    public Output run(Tool tool, List<String> args) throws ApplyFailure {
        String where = tool.command() + " " + String.join(" ", args);
        Path binary = binary(tool).orElseThrow(() -> new ApplyFailure("run", where, "ENOENT",
                missing(tool).orElse("")));
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(binary.toString());
        argv.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(
                new File("/dev/null")));
        builder.environment().clear();
        builder.environment().put("LC_ALL", "C");
        try {
            Process process = builder.start();
            // both tools print a kilobyte or two for one device, far below a pipe's buffer, so waiting first
            // cannot deadlock and the timeout holds even if one hangs with its output open
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new ApplyFailure("run", where, "ETIMEDOUT", tool.command() + " did not finish in "
                        + TIMEOUT_SECONDS + "s");
            }
            return new Output(process.exitValue(), read(process.getInputStream()), read(process.getErrorStream()));
        } catch (IOException e) {
            throw new ApplyFailure("run", where, "error", String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyFailure("run", where, "EINTR", "interrupted");
        }
    }

    private static String read(InputStream stream) throws IOException {
        try (InputStream in = stream) {
            return new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "installed tools " + locations;
    }
}

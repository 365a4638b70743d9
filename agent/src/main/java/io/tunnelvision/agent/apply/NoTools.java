package io.tunnelvision.agent.apply;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The tools of an executor whose roots are a tree, not this host's {@code /proc}: ethtool and tc would read and
 * change this host's own devices of the same name, so they are never run, and every tool-backed action is refused
 * with the reason. A simulated gateway passes its model instead ({@link ExecutorSettings#withTools}).
 */
final class NoTools implements ToolRunner {

    private final Path procRoot;

    NoTools(Path procRoot) {
        this.procRoot = procRoot;
    }

    @Override
    public Optional<String> missing(Tool tool) {
        return Optional.of(tool.command() + " is not run for a tree (proc root " + procRoot + ", not /proc): it "
                + "would change this host's own devices");
    }

    @Override
    public Output run(Tool tool, List<String> args) throws ApplyFailure {
        throw new ApplyFailure("run", tool.command() + " " + String.join(" ", args), "EPERM",
                missing(tool).orElseThrow());
    }
}

package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.TuningAction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the executor needs to know about this host and its operator's limits.
 *
 * @param dryRun when true (the default until an operator says otherwise) nothing is written, whatever the command
 *               says; a command's own dryRun flag can only add caution, never remove it
 * @param tools  runs ethtool and tc for the settings that have no file: {@link InstalledTools#standard()} in
 *               production, a model's answers in a simulation ({@link ToolRunner})
 */
public record ExecutorSettings(String hostId, Path sysRoot, Path procRoot, Path stateDir, Set<TuningAction> allowed,
                               ApplyBounds bounds, boolean dryRun, ToolRunner tools, Duration clockSkew) {

    private static final Path LIVE_PROC = Path.of("/proc");

    /** How far this host's clock may be from the planner's before a fresh command looks stale or early. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    public ExecutorSettings {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(sysRoot, "sysRoot");
        Objects.requireNonNull(procRoot, "procRoot");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(bounds, "bounds");
        Objects.requireNonNull(clockSkew, "clockSkew");
        allowed = allowed.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(allowed));
        Objects.requireNonNull(tools, "tools");
    }

    /** Every action this agent knows; UNKNOWN (a newer planner's action) never. */
    public static Set<TuningAction> allActions() {
        return EnumSet.complementOf(EnumSet.of(TuningAction.UNKNOWN));
    }

    /**
     * The production layout: the given roots, the default clock skew, and for the live host (proc root
     * {@code /proc}) the installed ethtool and tc. Any other proc root is a test tree or a simulated gateway, of
     * which the installed tools know nothing (they would change this host's devices of the same names): none are
     * run, and the actions that need them are refused until {@link #withTools} gives a model.
     */
    public static ExecutorSettings of(String hostId, Path sysRoot, Path procRoot, Path stateDir,
                                      Set<TuningAction> allowed, ApplyBounds bounds, boolean dryRun) {
        boolean live = procRoot.toAbsolutePath().normalize().equals(LIVE_PROC);
        return new ExecutorSettings(hostId, sysRoot, procRoot, stateDir, allowed, bounds, dryRun,
                live ? InstalledTools.standard() : new NoTools(procRoot), DEFAULT_CLOCK_SKEW);
    }

    public ExecutorSettings withDryRun(boolean value) {
        return new ExecutorSettings(hostId, sysRoot, procRoot, stateDir, allowed, bounds, value, tools, clockSkew);
    }

    /** The same settings with ethtool and tc run by {@code runner}: a simulated gateway's model of them. */
    public ExecutorSettings withTools(ToolRunner runner) {
        return new ExecutorSettings(hostId, sysRoot, procRoot, stateDir, allowed, bounds, dryRun, runner, clockSkew);
    }

    /** ethtool looked for only at {@code locations} (tests: a stand-in, or none), and no tc at all. */
    public ExecutorSettings withEthtoolLocations(List<Path> locations) {
        return withTools(InstalledTools.standard().with(ToolRunner.Tool.ETHTOOL, locations)
                .with(ToolRunner.Tool.TC, List.of()));
    }
}

package io.tunnelvision.rules.plan;

import java.time.Duration;
import java.util.Objects;

/**
 * How the planner and its safety rails behave.
 *
 * @param enabled         false: hotspots are only reported (planner mode off)
 * @param approval        true: commands are proposed and wait for an operator's decision
 * @param dryRun          true: commands go out flagged dry-run, agents only report what they would change
 * @param cooldown        no second change of the same (host, setting) within this time
 * @param rollbackBackoff after a rollback, no change of that (host, setting) for this long
 * @param commandTtl      a command expires this long after it is issued
 * @param maxUnverified   fleet-wide limit of commands sent but not yet verified
 * @param canaryHosts     for a fleet-wide hotspot, how many hosts go first
 * @param verifyIntervals intervals after APPLIED that are compared with those before
 * @param minImprovement  the fraction the metric must fall by for a change to count as verified
 * @param verifyTimeout   a change still unverified this long after it was sent no longer counts against the limit
 */
public record PlannerSettings(boolean enabled, boolean approval, boolean dryRun, Duration cooldown,
                              Duration rollbackBackoff, Duration commandTtl, int maxUnverified, int canaryHosts,
                              int verifyIntervals, double minImprovement, Duration verifyTimeout) {

    public PlannerSettings {
        Objects.requireNonNull(cooldown, "cooldown");
        Objects.requireNonNull(rollbackBackoff, "rollbackBackoff");
        Objects.requireNonNull(commandTtl, "commandTtl");
        Objects.requireNonNull(verifyTimeout, "verifyTimeout");
        if (maxUnverified < 1 || canaryHosts < 1 || verifyIntervals < 1) {
            throw new IllegalArgumentException("maxUnverified, canaryHosts and verifyIntervals must be at least 1");
        }
        if (minImprovement < 0 || minImprovement >= 1) {
            throw new IllegalArgumentException("minImprovement must be in [0, 1)");
        }
    }

    public static PlannerSettings defaults() {
        return new PlannerSettings(true, false, false, Duration.ofMinutes(15), Duration.ofHours(6),
                Duration.ofMinutes(5), 5, 2, 5, 0.2, Duration.ofMinutes(30));
    }

    public PlannerSettings withApproval(boolean value) {
        return new PlannerSettings(enabled, value, dryRun, cooldown, rollbackBackoff, commandTtl, maxUnverified,
                canaryHosts, verifyIntervals, minImprovement, verifyTimeout);
    }

    public PlannerSettings withEnabled(boolean value) {
        return new PlannerSettings(value, approval, dryRun, cooldown, rollbackBackoff, commandTtl, maxUnverified,
                canaryHosts, verifyIntervals, minImprovement, verifyTimeout);
    }

    public PlannerSettings withMaxUnverified(int value) {
        return new PlannerSettings(enabled, approval, dryRun, cooldown, rollbackBackoff, commandTtl, value,
                canaryHosts, verifyIntervals, minImprovement, verifyTimeout);
    }

    public PlannerSettings withCanaryHosts(int value) {
        return new PlannerSettings(enabled, approval, dryRun, cooldown, rollbackBackoff, commandTtl, maxUnverified,
                value, verifyIntervals, minImprovement, verifyTimeout);
    }

    public PlannerSettings withCooldown(Duration value) {
        return new PlannerSettings(enabled, approval, dryRun, value, rollbackBackoff, commandTtl, maxUnverified,
                canaryHosts, verifyIntervals, minImprovement, verifyTimeout);
    }

    public PlannerSettings withDryRun(boolean value) {
        return new PlannerSettings(enabled, approval, value, cooldown, rollbackBackoff, commandTtl, maxUnverified,
                canaryHosts, verifyIntervals, minImprovement, verifyTimeout);
    }
}

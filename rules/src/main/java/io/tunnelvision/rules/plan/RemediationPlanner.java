package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.StateClasses;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.PendingCommand;
import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For an open hotspot, the commands its policy calls for on this host, planned as one set: every change the
 * policy names for the hotspot (RPS_CPUS with its companions) goes out together and gets one verdict.
 *
 * <p>A verdict must judge only its own change, so a host has one set in flight at a time: nothing is planned for
 * it while any change waits for its result or its verdict, whatever hotspot it answers. A second fault on the
 * same host is answered after the first one's verdict. Beyond that:
 * <ul>
 *   <li>the "before" of a change is the metric since the hotspot's bad streak began (or since the last verdict on
 *       it), never the quiet intervals before the fault; after a verdict the next rung waits for a fresh
 *       interval of the metric;</li>
 *   <li>a (setting, target) that was rolled back cools down for {@code cooldown}, and the value it was rolled
 *       back from is backed off for {@code rollbackBackoff}; the rest of its ladder is not. A verified change sets
 *       no cooldown: when it helped but the hotspot is still open, the next rung follows its verdict;</li>
 *   <li>a change the agent refused is not sent again with the same expected value: only a sample showing another
 *       current value lets the planner propose it again.</li>
 * </ul>
 */
public final class RemediationPlanner {

    static {
        StateClasses.trust();
    }

    private static final Logger LOG = LoggerFactory.getLogger(RemediationPlanner.class);

    private final RemediationPolicy policy;
    private final PlannerSettings settings;

    public RemediationPlanner(RemediationPolicy policy, PlannerSettings settings) {
        this.policy = policy;
        this.settings = settings;
    }

    public List<TuningCommand> plan(HostState state, String host, Track track, Finding finding, HostContext context,
                                    long nowMs) {
        if (!settings.enabled() || track.getHotspotId() == null || !state.getPending().isEmpty()
                || track.getBaseline().isEmpty() || track.getHeldUntilMs() > nowMs
                || state.getHoldUntilMs() > nowMs) {
            return List.of();
        }
        List<Change> changes = new ArrayList<>();
        for (TuningAction action : policy.actionsFor(HotspotType.valueOf(track.getType()))) {
            for (Change change : ChangeProposer.propose(action, finding, context,
                    key -> active(state.getBackoffUntilMs(), key, nowMs))) {
                if (!active(state.getCooldownUntilMs(), change.cooldownKey(), nowMs)
                        && !active(state.getRefusedUntilMs(), change.refusalKey(), nowMs)) {
                    changes.add(change);
                }
            }
        }
        if (changes.isEmpty()) {
            return List.of();
        }
        double before = mean(track.getBaseline());
        String setId = null;
        List<TuningCommand> commands = new ArrayList<>();
        for (Change change : changes) {
            String commandId = Commands.commandId(track.getHotspotId(), change.action(), change.target(), nowMs);
            if (setId == null) {
                setId = commandId;
            }
            String reason = finding.summary() + "; " + change.action().name().toLowerCase(Locale.ROOT) + " of "
                    + change.target() + " " + change.expectedValue() + " -> " + change.newValue();
            TuningCommand command = Commands.unsigned(commandId, host, change, track.getHotspotId(), reason,
                    settings.dryRun(), null, nowMs, settings.commandTtl().toMillis());
            state.getPending().put(commandId, PendingCommand.newBuilder()
                    .setCommandId(commandId).setSetId(setId).setHotspotId(track.getHotspotId())
                    .setTrackKey(finding.trackKey()).setAction(change.action().name()).setTarget(change.target())
                    .setNewValue(change.newValue()).setExpectedValue(change.expectedValue())
                    .setBefore(before).setCreatedAtMs(nowMs).build());
            LOG.info("planned {} for {}: {}", commandId, host, reason);
            commands.add(command);
        }
        return commands;
    }

    private static boolean active(Map<String, Long> untilMs, String key, long nowMs) {
        Long until = untilMs.get(key);
        return until != null && until > nowMs;
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}

package io.tunnelvision.rules.plan;

import io.tunnelvision.rules.StateClasses;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.PendingCommand;
import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.rules.detect.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For an open hotspot, the commands its policy calls for on this host: one step per (setting, target), none
 * while that (host, setting) is cooling down or still has a change waiting for its verdict. Each planned
 * command is remembered as pending with the metric's recent mean as its "before".
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
        if (!settings.enabled() || track.getHotspotId() == null) {
            return List.of();
        }
        List<TuningCommand> commands = new ArrayList<>();
        for (TuningAction action : policy.actionsFor(HotspotType.valueOf(track.getType()))) {
            for (Change change : ChangeProposer.propose(action, finding, context)) {
                if (blocked(state, change, nowMs)) {
                    continue;
                }
                String commandId = Commands.commandId(track.getHotspotId(), action, change.target(), nowMs);
                String reason = finding.summary() + "; " + action.name().toLowerCase(Locale.ROOT) + " of "
                        + change.target() + " " + change.expectedValue() + " -> " + change.newValue();
                TuningCommand command = Commands.unsigned(commandId, host, change, track.getHotspotId(), reason,
                        settings.dryRun(), null, nowMs, settings.commandTtl().toMillis());
                state.getCooldownUntilMs().put(change.cooldownKey(), nowMs + settings.cooldown().toMillis());
                state.getPending().put(commandId, PendingCommand.newBuilder()
                        .setCommandId(commandId).setHotspotId(track.getHotspotId())
                        .setTrackKey(finding.trackKey()).setAction(action.name()).setTarget(change.target())
                        .setNewValue(change.newValue()).setExpectedValue(change.expectedValue())
                        .setBefore(mean(track.getRecent())).setCreatedAtMs(nowMs).build());
                LOG.info("planned {} for {}: {}", commandId, host, reason);
                commands.add(command);
            }
        }
        return commands;
    }

    private static boolean blocked(HostState state, Change change, long nowMs) {
        Long until = state.getCooldownUntilMs().get(change.cooldownKey());
        if (until != null && until > nowMs) {
            return true;
        }
        return state.getPending().values().stream().anyMatch(p -> p.getAction().equals(change.action().name())
                && p.getTarget().equals(change.target()));
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}

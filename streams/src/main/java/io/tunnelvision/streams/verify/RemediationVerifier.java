package io.tunnelvision.streams.verify;

import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.streams.avro.HostState;
import io.tunnelvision.streams.avro.PendingCommand;
import io.tunnelvision.streams.plan.Change;
import io.tunnelvision.streams.plan.Commands;
import io.tunnelvision.streams.plan.PlannerSettings;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the loop on a host's changes: once a command's APPLIED result is in, the hotspot's metric over the next
 * {@code verifyIntervals} intervals (each starting after the change) is compared with its mean before. A drop of
 * at least {@code minImprovement} verifies the change; anything else rolls it back to the value before.
 */
public final class RemediationVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(RemediationVerifier.class);

    private final PlannerSettings settings;

    public RemediationVerifier(PlannerSettings settings) {
        this.settings = settings;
    }

    /** A verdict on one change, and the rollback command when it is one. */
    public record Judgement(CommandOutcome outcome, Optional<TuningCommand> rollback) {
    }

    /**
     * Records an agent's result. Returns true when the command is settled without a verification (refused,
     * failed, expired, dry run): the fleet gate then stops counting it.
     */
    public boolean onResult(HostState state, CommandResult result) {
        PendingCommand pending = state.getPending().get(result.getCommandId());
        if (result.getStatus() == CommandStatus.APPLIED) {
            if (pending != null && pending.getAppliedAtMs() == null) {
                pending.setAppliedAtMs(result.getTimeMs());
                pending.setValueBefore(result.getValueBefore());
                pending.setValueAfter(result.getValueAfter());
            }
            return false;
        }
        state.getPending().remove(result.getCommandId());
        return true;
    }

    /** Feeds one interval's metric of one track to the changes waiting on it. */
    public List<Judgement> observe(HostState state, String host, String trackKey, double metric,
                                   long intervalStartMs, long nowMs) {
        List<Judgement> judgements = new ArrayList<>();
        Iterator<Map.Entry<String, PendingCommand>> it = state.getPending().entrySet().iterator();
        while (it.hasNext()) {
            PendingCommand pending = it.next().getValue();
            if (pending.getAppliedAtMs() == null || !pending.getTrackKey().equals(trackKey)
                    || intervalStartMs < pending.getAppliedAtMs()) {
                continue;
            }
            List<Double> after = new ArrayList<>(pending.getAfter());
            after.add(metric);
            pending.setAfter(after);
            if (after.size() >= settings.verifyIntervals()) {
                judgements.add(judge(state, host, pending, nowMs));
                it.remove();
            }
        }
        return judgements;
    }

    /**
     * Gives up on changes that never got a result and on applied ones whose metric stopped coming: both get an
     * INCONCLUSIVE outcome (after: the mean of the intervals seen, 0 when none) so the gate stops counting them.
     */
    public List<CommandOutcome> expire(HostState state, String host, long nowMs) {
        List<CommandOutcome> outcomes = new ArrayList<>();
        long timeout = settings.verifyTimeout().toMillis();
        Iterator<Map.Entry<String, PendingCommand>> it = state.getPending().entrySet().iterator();
        while (it.hasNext()) {
            PendingCommand pending = it.next().getValue();
            if (nowMs - pending.getCreatedAtMs() < timeout) {
                continue;
            }
            it.remove();
            outcomes.add(outcome(host, pending, Verdict.INCONCLUSIVE, mean(pending.getAfter()), null, nowMs));
        }
        return outcomes;
    }

    private Judgement judge(HostState state, String host, PendingCommand pending, long nowMs) {
        double before = pending.getBefore();
        double after = mean(pending.getAfter());
        boolean improved = before > 0 ? after <= before * (1 - settings.minImprovement()) : after <= 0;
        if (improved) {
            LOG.info("verified {} on {}: {} went {} -> {}", pending.getCommandId(), host, pending.getTrackKey(),
                    before, after);
            return new Judgement(outcome(host, pending, Verdict.VERIFIED, after, null, nowMs), Optional.empty());
        }
        TuningAction action = TuningAction.valueOf(pending.getAction());
        String previous = pending.getValueBefore() != null ? pending.getValueBefore() : pending.getExpectedValue();
        String current = pending.getValueAfter() != null ? pending.getValueAfter() : pending.getNewValue();
        Change undo = new Change(action, pending.getTarget(), current, previous);
        String rollbackId = pending.getCommandId() + "/rollback";
        TuningCommand rollback = Commands.unsigned(rollbackId, host, undo, pending.getHotspotId(),
                String.format("rollback: %s did not improve after %s (%.3f before, %.3f after)",
                        pending.getTrackKey(), pending.getCommandId(), before, after),
                false, pending.getCommandId(), nowMs, settings.commandTtl().toMillis());
        state.getCooldownUntilMs().put(undo.cooldownKey(), nowMs + settings.rollbackBackoff().toMillis());
        LOG.warn("rolling back {} on {}: {} went {} -> {}", pending.getCommandId(), host, pending.getTrackKey(),
                before, after);
        return new Judgement(outcome(host, pending, Verdict.ROLLED_BACK, after, rollbackId, nowMs),
                Optional.of(rollback));
    }

    private static CommandOutcome outcome(String host, PendingCommand pending, Verdict verdict, double after,
                                          String rollbackId, long nowMs) {
        return CommandOutcome.newBuilder()
                .setCommandId(pending.getCommandId())
                .setHostId(host)
                .setHotspotId(pending.getHotspotId())
                .setOutcome(verdict)
                .setMetric(pending.getTrackKey())
                .setBefore(pending.getBefore())
                .setAfter(after)
                .setRollbackCommandId(rollbackId)
                .setTimeMs(nowMs)
                .build();
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}

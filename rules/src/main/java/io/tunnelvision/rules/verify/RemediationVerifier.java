package io.tunnelvision.rules.verify;

import io.tunnelvision.rules.StateClasses;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.LatencyPoint;
import io.tunnelvision.rules.avro.PendingCommand;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.plan.Commands;
import io.tunnelvision.rules.plan.PlannerSettings;
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
 *
 * <p>Latency counts too. When the host probes its tunnels, its last latency sample before the change is kept,
 * and the verdict waits for at least one sample after it (for up to {@link #LATENCY_WAIT_INTERVALS} probe
 * intervals after the change): a change after which the overlay round trip got worse or the large probes' loss rose by
 * {@link #LOSS_WORSE} is rolled back, whatever its metric did. The overlay is judged by what it adds to the
 * underlay's round trip in the same interval (both paths are probed in the same rounds), so that a busy
 * moment of the gateway, which slows both alike, is not held against the change: worse is the median of the
 * samples after grown by half and by at least {@link #RTT_WORSE_MIN_US}.
 */
public final class RemediationVerifier {

    static {
        StateClasses.trust();
    }

    private static final Logger LOG = LoggerFactory.getLogger(RemediationVerifier.class);
    /** What the overlay adds to the underlay's round trip is worse after a change when it grew by this factor... */
    static final double RTT_WORSE_FACTOR = 1.5;
    /** ... and by at least this much: below it, scheduling noise on a busy gateway would decide. */
    static final double RTT_WORSE_MIN_US = 2_000;
    /** Large-probe loss is worse after a change when it rose by at least this (a ratio). */
    static final double LOSS_WORSE = 0.1;
    /**
     * How many probe intervals after the change a verdict may wait for the first latency sample of an interval
     * that began after it: the first whole one ends within two, plus the prober's grace.
     */
    static final int LATENCY_WAIT_INTERVALS = 3;

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
        return onResult(state, result, null);
    }

    /** As {@link #onResult(HostState, CommandResult)}, keeping {@code latestLatency} as the latency before. */
    public boolean onResult(HostState state, CommandResult result, LatencySample latestLatency) {
        PendingCommand pending = state.getPending().get(result.getCommandId());
        if (result.getStatus() == CommandStatus.APPLIED) {
            if (pending != null && pending.getAppliedAtMs() == null) {
                pending.setAppliedAtMs(result.getTimeMs());
                pending.setValueBefore(result.getValueBefore());
                pending.setValueAfter(result.getValueAfter());
                if (latestLatency != null && latestLatency.getHeader().getSampleTimeMs() <= result.getTimeMs()) {
                    pending.setLatencyBefore(LatencyPoints.of(latestLatency));
                }
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
            LatencyPoint latencyBefore = pending.getLatencyBefore();
            boolean awaitingLatency = latencyBefore != null && pending.getLatencyAfter().isEmpty()
                    && nowMs - pending.getAppliedAtMs() < LATENCY_WAIT_INTERVALS * latencyBefore.getIntervalMs();
            if (after.size() >= settings.verifyIntervals() && !awaitingLatency) {
                judgements.add(judge(state, host, pending, nowMs));
                it.remove();
            }
        }
        return judgements;
    }

    /**
     * Feeds one latency sample to the applied changes waiting on this host whose change came before the
     * sample's interval. Returns whether any took it (the state then needs storing).
     */
    public boolean observeLatency(HostState state, LatencySample sample) {
        long intervalStartMs = sample.getHeader().getSampleTimeMs() - sample.getIntervalMs();
        boolean taken = false;
        for (PendingCommand pending : state.getPending().values()) {
            if (pending.getAppliedAtMs() == null || pending.getLatencyBefore() == null
                    || intervalStartMs < pending.getAppliedAtMs()) {
                continue;
            }
            List<LatencyPoint> after = new ArrayList<>(pending.getLatencyAfter());
            after.add(LatencyPoints.of(sample));
            pending.setLatencyAfter(after);
            taken = true;
        }
        return taken;
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
        String latencyWorse = latencyWorse(pending);
        if (improved && latencyWorse == null) {
            LOG.info("verified {} on {}: {} went {} -> {}", pending.getCommandId(), host, pending.getTrackKey(),
                    before, after);
            return new Judgement(outcome(host, pending, Verdict.VERIFIED, after, null, nowMs), Optional.empty());
        }
        TuningAction action = TuningAction.valueOf(pending.getAction());
        String previous = pending.getValueBefore() != null ? pending.getValueBefore() : pending.getExpectedValue();
        String current = pending.getValueAfter() != null ? pending.getValueAfter() : pending.getNewValue();
        Change undo = new Change(action, pending.getTarget(), current, previous);
        String rollbackId = pending.getCommandId() + "/rollback";
        String why = latencyWorse != null
                ? String.format("rollback: %s after %s", latencyWorse, pending.getCommandId())
                : String.format("rollback: %s did not improve after %s (%.3f before, %.3f after)",
                        pending.getTrackKey(), pending.getCommandId(), before, after);
        TuningCommand rollback = Commands.unsigned(rollbackId, host, undo, pending.getHotspotId(), why,
                false, pending.getCommandId(), nowMs, settings.commandTtl().toMillis());
        state.getCooldownUntilMs().put(undo.cooldownKey(), nowMs + settings.rollbackBackoff().toMillis());
        LOG.warn("rolling back {} on {}: {} went {} -> {}{}", pending.getCommandId(), host, pending.getTrackKey(),
                before, after, latencyWorse == null ? "" : "; " + latencyWorse);
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

    /** Why the latency after the change is worse than before it, or null when it is not (or nothing to compare). */
    static String latencyWorse(PendingCommand pending) {
        LatencyPoint before = pending.getLatencyBefore();
        List<LatencyPoint> after = pending.getLatencyAfter();
        if (before == null || after.isEmpty()) {
            return null;
        }
        Double was = LatencyPoints.tunnelCostUs(before);
        List<Double> costs = after.stream().map(LatencyPoints::tunnelCostUs).filter(c -> c != null).sorted().toList();
        if (was != null && !costs.isEmpty()) {
            // the median: one slow interval is not a verdict
            double is = costs.get(costs.size() / 2);
            if (is >= Math.max(was, 0) * RTT_WORSE_FACTOR && is - was >= RTT_WORSE_MIN_US) {
                return String.format("overlay latency got worse (%.0f us over the underlay before, %.0f us after)",
                        was, is);
            }
        }
        double loss = after.stream().mapToDouble(LatencyPoint::getLargeProbeLoss).average().orElse(0);
        if (loss >= before.getLargeProbeLoss() + LOSS_WORSE) {
            return String.format("large-probe loss got worse (%.2f before, %.2f after)", before.getLargeProbeLoss(),
                    loss);
        }
        return null;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}

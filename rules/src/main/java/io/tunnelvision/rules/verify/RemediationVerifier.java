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
import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.plan.Commands;
import io.tunnelvision.rules.plan.PlannerSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the loop on a host's changes. Once a command's APPLIED result is in, the hotspot's metric over the next
 * {@code verifyIntervals} intervals (each starting after the change) is compared with its "before": the mean of
 * the intervals since the hotspot's bad streak began. Changes planned together (one set) get one verdict.
 *
 * <p>A change is judged on everything it can hurt, not only its own metric:
 * <ul>
 *   <li>its own metric got worse, or fell by less than {@link #NO_EFFECT} (it did nothing);</li>
 *   <li>a {@link GuardMetric} of the host (drops, squeezes, backlog, UDP buffer errors) got worse;</li>
 *   <li>another hotspot whose bad streak began after the change opened on the host during its window;</li>
 *   <li>the tunnels' latency or large-probe loss got worse (below).</li>
 * </ul>
 * Any of these rolls the change back (the whole set), backs off the value it set for {@code rollbackBackoff} and
 * cools its (setting, target) down for {@code cooldown}; the rollback is then pending on the host, so that no
 * second change is stacked on the harm. Anything else keeps the change: VERIFIED, and when it fell by less than
 * {@code minImprovement} the hotspot stays open and the planner takes the next rung after the verdict.
 *
 * <p>Latency: when the host probes its tunnels, its last latency sample before the change is kept, and the
 * verdict waits for at least one sample after it (for up to {@link #LATENCY_WAIT_INTERVALS} probe intervals
 * after the change). The overlay is judged by what it adds to the underlay's round trip in the same interval
 * (both paths are probed in the same rounds), so that a busy moment of the gateway, which slows both alike, is
 * not held against the change: worse is the median of the samples after grown by half and by at least
 * {@link #RTT_WORSE_MIN_US}; loss is worse when it rose by {@link #LOSS_WORSE}.
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
     * A change whose metric fell by less than this fraction did nothing measurable: it is rolled back. Between
     * this and {@code minImprovement} it helped, but not enough: it is kept and the next rung follows.
     */
    static final double NO_EFFECT = 0.05;
    /** Guard intervals kept per metric for the "before" of the next change. */
    static final int GUARD_INTERVALS = 10;
    /**
     * How many probe intervals after the change a verdict may wait for the first latency sample of an interval
     * that began after it: the first whole one ends within two, plus the prober's grace.
     */
    static final int LATENCY_WAIT_INTERVALS = 3;
    /** A command nobody answered is given up this long after it expired (the agent refuses it by then). */
    static final long RESULT_GRACE_MS = 60_000;

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
        if (pending != null && pending.getRollback()) {
            // a rollback is not judged: once it is in, the host settles
            state.getPending().remove(result.getCommandId());
            state.setHoldUntilMs(result.getTimeMs() + pending.getSettleMs());
            return result.getStatus() != CommandStatus.APPLIED;
        }
        if (result.getStatus() == CommandStatus.APPLIED) {
            if (pending != null && pending.getAppliedAtMs() == null) {
                pending.setAppliedAtMs(result.getTimeMs());
                pending.setValueBefore(result.getValueBefore());
                pending.setValueAfter(result.getValueAfter());
                if (latestLatency != null && latestLatency.getHeader().getSampleTimeMs() <= result.getTimeMs()) {
                    pending.setLatencyBefore(LatencyPoints.of(latestLatency));
                }
                pending.setGuardBefore(guardBefore(state));
            }
            return false;
        }
        if (pending != null && (result.getStatus() == CommandStatus.REJECTED
                || result.getStatus() == CommandStatus.FAILED)) {
            // not again with the same expected value: only a sample showing another current value lets it through
            Change change = new Change(TuningAction.valueOf(pending.getAction()), pending.getTarget(),
                    pending.getExpectedValue(), pending.getNewValue());
            state.getRefusedUntilMs().put(change.refusalKey(), result.getTimeMs() + settings.cooldown().toMillis());
        }
        state.getPending().remove(result.getCommandId());
        return true;
    }

    /**
     * The host's guard metrics before a change: the mean of their last intervals, or, for a metric that measures a
     * fault in a bad streak on the host, of that streak's intervals only (its track's baseline is as long), so
     * that a fault that began before the change is not blamed on it.
     */
    private static Map<String, Double> guardBefore(HostState state) {
        Map<String, Double> before = new HashMap<>();
        state.getGuard().keySet().forEach(name -> before.put(name, guardBefore(state, GuardMetric.valueOf(name))));
        return before;
    }

    private static double guardBefore(HostState state, GuardMetric metric) {
        List<Double> values = state.getGuard().get(metric.name());
        int intervals = values.size();
        for (Track track : state.getTracks().values()) {
            if (metric.measures(track.getType()) && (track.getBadStreak() > 0 || track.getHotspotId() != null)
                    && !track.getBaseline().isEmpty()) {
                intervals = Math.min(intervals, track.getBaseline().size());
            }
        }
        return mean(values.subList(values.size() - intervals, values.size()));
    }

    /**
     * Ends an interval of guard metrics, once its findings have been applied to the tracks. Each kind of sample
     * has its topic, so an interval that began before a change was applied can arrive after the change's result:
     * it belongs to the change's "before", which is computed again with it (with the fault's bad streak as it now
     * stands). Without this, a second fault that began with the first but whose samples came in late would be
     * blamed on the first fault's change.
     */
    public void endGuardInterval(HostState state, Set<GuardMetric> metrics, long intervalStartMs) {
        for (PendingCommand pending : state.getPending().values()) {
            if (pending.getRollback() || pending.getAppliedAtMs() == null
                    || intervalStartMs >= pending.getAppliedAtMs()) {
                continue;
            }
            for (GuardMetric metric : metrics) {
                if (state.getGuard().containsKey(metric.name())) {
                    pending.getGuardBefore().put(metric.name(), guardBefore(state, metric));
                }
            }
        }
    }

    /**
     * Feeds one interval's guard metrics of the host: kept as the host's recent history (the "before" of the next
     * change) and given to the applied changes whose window the interval belongs to. Returns whether the state
     * changed.
     */
    public boolean observeGuard(HostState state, Map<GuardMetric, Double> values, long intervalStartMs) {
        if (values.isEmpty()) {
            return false;
        }
        values.forEach((metric, value) -> {
            List<Double> recent = new ArrayList<>(state.getGuard().getOrDefault(metric.name(), List.of()));
            recent.add(value);
            while (recent.size() > GUARD_INTERVALS) {
                recent.remove(0);
            }
            state.getGuard().put(metric.name(), recent);
        });
        for (PendingCommand pending : state.getPending().values()) {
            if (pending.getAppliedAtMs() == null || intervalStartMs < pending.getAppliedAtMs()) {
                continue;
            }
            values.forEach((metric, value) -> {
                List<Double> after = new ArrayList<>(pending.getGuardAfter().getOrDefault(metric.name(), List.of()));
                after.add(value);
                pending.getGuardAfter().put(metric.name(), after);
            });
        }
        return true;
    }

    /**
     * A hotspot opened on the host. When its bad streak began after a change was applied, that change is blamed:
     * its verdict will be a rollback, and the new hotspot is held (no change planned for it) so that the rollback,
     * not a second change, answers it.
     */
    public void onHotspotOpened(HostState state, Track opened, long nowMs) {
        String trackKey = opened.getType() + "|" + opened.getTarget();
        for (PendingCommand pending : state.getPending().values()) {
            if (pending.getAppliedAtMs() == null || pending.getTrackKey().equals(trackKey)
                    || opened.getBadSinceMs() < pending.getAppliedAtMs() || pending.getHarm() != null) {
                continue;
            }
            pending.setHarm(String.format("%s on %s opened during the change's window", opened.getType(),
                    opened.getTarget()));
            opened.setHeldUntilMs(nowMs + settings.cooldown().toMillis());
        }
    }

    /** Feeds one interval's metric of one track to the changes waiting on it. */
    public List<Judgement> observe(HostState state, String host, String trackKey, double metric,
                                   long intervalStartMs, long nowMs) {
        Set<String> ready = new LinkedHashSet<>();
        for (PendingCommand pending : state.getPending().values()) {
            if (pending.getRollback() || pending.getAppliedAtMs() == null || !pending.getTrackKey().equals(trackKey)
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
                ready.add(setOf(pending));
            }
        }
        List<Judgement> judgements = new ArrayList<>();
        for (String set : ready) {
            List<PendingCommand> members = state.getPending().values().stream()
                    .filter(p -> !p.getRollback() && set.equals(setOf(p))).toList();
            // the whole set is judged once every member that is still waiting has its result and its window
            boolean complete = members.stream().allMatch(p -> p.getAppliedAtMs() != null
                    && p.getAfter().size() >= settings.verifyIntervals());
            if (complete) {
                judgements.addAll(judge(state, host, members, nowMs));
            }
        }
        return judgements;
    }

    /**
     * The track key of a change an operator made by hand: it answers no hotspot, so no track's metric judges it.
     * It is watched through the guard metrics, the hotspots that open during its window and the tunnels' latency,
     * and rolled back on harm like any change.
     */
    public static final String MANUAL_TRACK = "manual";

    /** A change made by hand is on its way to the agent: wait for its result, then watch it. */
    public void expectManual(HostState state, TuningCommand command, long nowMs) {
        state.getPending().put(command.getCommandId(), PendingCommand.newBuilder()
                .setCommandId(command.getCommandId()).setTrackKey(MANUAL_TRACK)
                .setAction(command.getAction().name()).setTarget(command.getTarget())
                .setNewValue(command.getNewValue()).setExpectedValue(command.getExpectedValue())
                .setBefore(0).setCreatedAtMs(nowMs).build());
    }

    /**
     * Judges each applied change made by hand once {@code verifyIntervals} guard intervals followed it (call after
     * {@link #observeGuard}): one that did harm is rolled back, the rest are verified. Guard metrics are all such a
     * change has, so "did not improve" never counts against it.
     */
    public List<Judgement> observeManual(HostState state, String host, long nowMs) {
        List<PendingCommand> ready = new ArrayList<>();
        for (PendingCommand pending : state.getPending().values()) {
            if (pending.getRollback() || pending.getAppliedAtMs() == null
                    || !MANUAL_TRACK.equals(pending.getTrackKey())) {
                continue;
            }
            int watched = pending.getGuardAfter().values().stream().mapToInt(List::size).max().orElse(0);
            LatencyPoint latencyBefore = pending.getLatencyBefore();
            boolean awaitingLatency = latencyBefore != null && pending.getLatencyAfter().isEmpty()
                    && nowMs - pending.getAppliedAtMs() < LATENCY_WAIT_INTERVALS * latencyBefore.getIntervalMs();
            if ((watched >= settings.verifyIntervals() && !awaitingLatency) || pending.getHarm() != null) {
                ready.add(pending);
            }
        }
        List<Judgement> judgements = new ArrayList<>();
        for (PendingCommand pending : ready) {
            judgements.addAll(judge(state, host, List.of(pending), nowMs));
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
     * Gives up on changes that never got a result (once their command has expired: the agent refuses it by then)
     * and on applied ones whose metric stopped coming (after {@code verifyTimeout}): both get an INCONCLUSIVE
     * outcome (after: the mean of the intervals seen, 0 when none) so the gate stops counting them; an applied
     * one's setting cools down. A rollback that got no result stops holding the host the same way, without an outcome.
     */
    public List<CommandOutcome> expire(HostState state, String host, long nowMs) {
        List<CommandOutcome> outcomes = new ArrayList<>();
        long unanswered = settings.commandTtl().toMillis() + RESULT_GRACE_MS;
        long timeout = settings.verifyTimeout().toMillis();
        Iterator<Map.Entry<String, PendingCommand>> it = state.getPending().entrySet().iterator();
        while (it.hasNext()) {
            PendingCommand pending = it.next().getValue();
            long age = nowMs - pending.getCreatedAtMs();
            boolean expired = pending.getAppliedAtMs() == null ? age >= Math.min(unanswered, timeout) : age >= timeout;
            if (!expired) {
                continue;
            }
            it.remove();
            if (pending.getRollback()) {
                continue;
            }
            if (pending.getAppliedAtMs() != null) {
                // applied but never judged: leave the setting alone for a while; an unanswered one changed nothing
                state.getCooldownUntilMs().put(Change.cooldownKey(TuningAction.valueOf(pending.getAction()),
                        pending.getTarget()), nowMs + settings.cooldown().toMillis());
            }
            outcomes.add(outcome(host, pending, Verdict.INCONCLUSIVE, mean(pending.getAfter()), null, nowMs));
        }
        return outcomes;
    }

    private List<Judgement> judge(HostState state, String host, List<PendingCommand> members, long nowMs) {
        PendingCommand first = members.get(0);
        double before = first.getBefore();
        double after = mean(first.getAfter());
        String harm = harm(members, before, after);
        Track track = state.getTracks().get(first.getTrackKey());
        if (track != null) {
            // the next rung's "before" is what this change left
            track.setBaseline(new ArrayList<>());
        }
        List<Judgement> judgements = new ArrayList<>();
        for (PendingCommand pending : members) {
            state.getPending().remove(pending.getCommandId());
            if (harm == null) {
                LOG.info("verified {} on {}: {} went {} -> {}", pending.getCommandId(), host, pending.getTrackKey(),
                        before, after);
                judgements.add(new Judgement(outcome(host, pending, Verdict.VERIFIED, after, null, nowMs),
                        Optional.empty()));
                continue;
            }
            judgements.add(rollBack(state, host, pending, harm, after, nowMs));
        }
        return judgements;
    }

    private Judgement rollBack(HostState state, String host, PendingCommand pending, String harm, double after,
                               long nowMs) {
        TuningAction action = TuningAction.valueOf(pending.getAction());
        String previous = pending.getValueBefore() != null ? pending.getValueBefore() : pending.getExpectedValue();
        String current = pending.getValueAfter() != null ? pending.getValueAfter() : pending.getNewValue();
        Change undo = new Change(action, pending.getTarget(), current, previous);
        String rollbackId = pending.getCommandId() + "/rollback";
        String why = String.format("rollback of %s: %s", pending.getCommandId(), harm);
        TuningCommand rollback = Commands.unsigned(rollbackId, host, undo, pending.getHotspotId(), why,
                false, pending.getCommandId(), nowMs, settings.commandTtl().toMillis());
        state.getBackoffUntilMs().put(Change.valueKey(action, pending.getTarget(), pending.getNewValue()),
                nowMs + settings.rollbackBackoff().toMillis());
        state.getCooldownUntilMs().put(undo.cooldownKey(), nowMs + settings.cooldown().toMillis());
        state.getPending().put(rollbackId, PendingCommand.newBuilder()
                .setCommandId(rollbackId).setRollback(true).setHotspotId(pending.getHotspotId())
                .setTrackKey(pending.getTrackKey()).setAction(action.name()).setTarget(pending.getTarget())
                .setNewValue(previous).setExpectedValue(current).setBefore(Double.NaN)
                .setSettleMs(Math.max(0, nowMs - pending.getAppliedAtMs())).setCreatedAtMs(nowMs).build());
        LOG.warn("rolling back {} on {}: {}", pending.getCommandId(), host, harm);
        return new Judgement(outcome(host, pending, Verdict.ROLLED_BACK, after, rollbackId, nowMs),
                Optional.of(rollback));
    }

    /** Why the set is to be rolled back, or null when it is kept. */
    private String harm(List<PendingCommand> members, double before, double after) {
        PendingCommand first = members.get(0);
        for (PendingCommand pending : members) {
            if (pending.getHarm() != null) {
                return pending.getHarm();
            }
        }
        if (before > 0 ? after > before * (1 - NO_EFFECT) : after > 0) {
            return String.format("%s did not improve (%.3f before, %.3f after)", first.getTrackKey(), before, after);
        }
        for (GuardMetric metric : GuardMetric.values()) {
            Double was = first.getGuardBefore().get(metric.name());
            List<Double> is = first.getGuardAfter().get(metric.name());
            if (was != null && is != null && !is.isEmpty() && metric.worse(was, mean(is))) {
                return String.format("%s got worse (%.1f before, %.1f after)",
                        metric.name().toLowerCase(Locale.ROOT).replace('_', ' '), was, mean(is));
            }
        }
        return latencyWorse(first);
    }

    private static String setOf(PendingCommand pending) {
        return pending.getSetId() != null ? pending.getSetId() : pending.getCommandId();
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

package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.ManualCommand;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.rules.avro.HostState;
import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.rules.detect.HotspotTracker;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.streams.fleet.FleetOutlierDetector;
import io.tunnelvision.streams.fleet.FleetReports;
import io.tunnelvision.rules.plan.Commands;
import io.tunnelvision.rules.plan.HostContext;
import io.tunnelvision.rules.plan.ManualChange;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.rules.plan.RemediationPlanner;
import io.tunnelvision.rules.plan.RemediationPolicy;
import io.tunnelvision.rules.rates.InterruptRateCalculator;
import io.tunnelvision.rules.rates.KernelRateCalculator;
import io.tunnelvision.rules.rates.LinkRateCalculator;
import io.tunnelvision.rules.rates.NicRateCalculator;
import io.tunnelvision.rules.rates.NicRates;
import io.tunnelvision.streams.rates.RateTracker;
import io.tunnelvision.rules.rates.SampleOrder;
import io.tunnelvision.rules.rates.SoftnetRateCalculator;
import io.tunnelvision.rules.rates.QdiscRateCalculator;
import io.tunnelvision.rules.rates.QdiscRates;
import io.tunnelvision.rules.rates.WireguardRateCalculator;
import io.tunnelvision.rules.rates.WireguardRates;
import io.tunnelvision.streams.state.DecodedStore;
import io.tunnelvision.streams.topology.Outbound.Destination;
import io.tunnelvision.rules.verify.GuardMetric;
import io.tunnelvision.rules.verify.RemediationVerifier;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-host stage, partitioned by host: samples become rates, rates become findings, findings become
 * hotspots through hysteresis, open hotspots become command candidates, and agents' results plus later rates
 * become verdicts. Everything one host needs is on its partition, so this stage scales out with the partitions.
 * An operator's command by hand is checked here too (its signed request, the catalog's bounds, the expected value
 * from the host's latest samples) and watched like the planner's changes; the fleet stage's gate signs it.
 */
final class HostProcessor implements Processor<String, SpecificRecord, String, Outbound> {

    private static final Logger LOG = LoggerFactory.getLogger(HostProcessor.class);
    /** A track neither open nor seen for this long is forgotten, so departed interfaces do not pile up. */
    private static final long TRACK_IDLE_MS = Duration.ofHours(1).toMillis();
    /**
     * Command ids of requests by hand already seen on this host, kept in the host state's refusal map under this
     * prefix (no action is named so) for as long as such a request could still be recent: a replay is refused. The
     * map is reused so that the state's schema, and with it the application id, stays the same.
     */
    static final String MANUAL_SEEN = "MANUAL|";

    private final DetectionThresholds thresholds;
    private final HotspotTracker tracker;
    private final RemediationPlanner planner;
    private final RemediationVerifier verifier;
    private final HostDetectors detectors;
    private final PlannerSettings plannerSettings;
    private final DecisionCheck decisionCheck;
    private final String decisionsTopic;

    private ProcessorContext<String, Outbound> context;
    private RateTracker<InterruptSample, InterruptRates> interrupts;
    private RateTracker<SoftnetSample, SoftnetRates> softnet;
    private RateTracker<LinkSample, LinkRates> links;
    private RateTracker<KernelSettingsSample, KernelRates> kernel;
    private RateTracker<WireguardSample, WireguardRates> wireguard;
    private RateTracker<QdiscSample, QdiscRates> qdiscs;
    private RateTracker<NicSample, NicRates> nics;
    private DecodedStore<InterfaceConfigSample> interfaceConfigs;
    private DecodedStore<LatencySample> latencies;
    private DecodedStore<InterruptRates> interruptRates;
    private DecodedStore<LinkRates> linkRates;
    private DecodedStore<PmtuSample> latestPmtu;
    private DecodedStore<PmtuSample> pmtuProbings;
    private DecodedStore<HostState> hostStates;
    private FleetReports fleetReports;
    private RefusedDecisions refusedDecisions;
    private OutputCounters counters;

    HostProcessor(DetectionThresholds thresholds, RemediationPolicy policy, PlannerSettings plannerSettings,
                  DecisionCheck decisionCheck, String decisionsTopic) {
        this.thresholds = thresholds;
        this.plannerSettings = plannerSettings;
        this.decisionCheck = decisionCheck;
        this.decisionsTopic = decisionsTopic;
        this.tracker = HotspotTracker.of(thresholds);
        this.planner = new RemediationPlanner(policy, plannerSettings);
        this.verifier = new RemediationVerifier(plannerSettings);
        this.detectors = new HostDetectors(thresholds);
    }

    @Override
    public void init(ProcessorContext<String, Outbound> context) {
        this.context = context;
        interrupts = new RateTracker<>(decoded(TunnelvisionTopology.PREVIOUS_INTERRUPTS),
                InterruptSample::getHeader, new InterruptRateCalculator());
        softnet = new RateTracker<>(decoded(TunnelvisionTopology.PREVIOUS_SOFTNET),
                SoftnetSample::getHeader, new SoftnetRateCalculator());
        links = new RateTracker<>(decoded(TunnelvisionTopology.PREVIOUS_LINK),
                LinkSample::getHeader, new LinkRateCalculator());
        kernel = new RateTracker<>(decoded(TunnelvisionTopology.PREVIOUS_KERNEL),
                KernelSettingsSample::getHeader, new KernelRateCalculator());
        wireguard = new RateTracker<>(decoded(TunnelvisionTopology.PREVIOUS_WIREGUARD),
                WireguardSample::getHeader, new WireguardRateCalculator(), thresholds.tunnelTrafficWindow());
        qdiscs = new RateTracker<>(decoded(TunnelvisionTopology.PREVIOUS_QDISC),
                QdiscSample::getHeader, new QdiscRateCalculator());
        nics = new RateTracker<>(decoded(TunnelvisionTopology.PREVIOUS_NIC),
                NicSample::getHeader, new NicRateCalculator());
        interfaceConfigs = decoded(TunnelvisionTopology.LATEST_INTERFACE_CONFIG);
        latencies = decoded(TunnelvisionTopology.LATEST_LATENCY);
        interruptRates = decoded(TunnelvisionTopology.LATEST_INTERRUPT_RATES);
        linkRates = decoded(TunnelvisionTopology.LATEST_LINK_RATES);
        latestPmtu = decoded(TunnelvisionTopology.LATEST_PMTU);
        pmtuProbings = decoded(TunnelvisionTopology.PMTU_PROBING);
        hostStates = decoded(TunnelvisionTopology.HOST_STATE);
        fleetReports = new FleetReports(thresholds.outlierEvery());
        refusedDecisions = new RefusedDecisions(context.metrics(), decisionsTopic);
        counters = new OutputCounters(context.metrics());
    }

    private <V> DecodedStore<V> decoded(String store) {
        return new DecodedStore<>(context.getStateStore(store));
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String host = record.key();
        if (host == null) {
            LOG.warn("dropping a {} without a key: every record is keyed by host id",
                    record.value() == null ? "tombstone" : record.value().getClass().getSimpleName());
            return;
        }
        try {
            dispatch(host, record.value(), record.timestamp());
        } catch (RuntimeException e) {
            // the processing exception handler may skip this record and go on: the host's state must then be
            // what the store holds, not an object this record half changed
            hostStates.evict(host);
            throw e;
        }
    }

    private void dispatch(String host, SpecificRecord value, long now) {
        if (value instanceof InterruptSample sample) {
            onInterrupts(host, sample, now);
        } else if (value instanceof SoftnetSample sample) {
            onSoftnet(host, sample, now);
        } else if (value instanceof LinkSample sample) {
            onLink(host, sample, now);
        } else if (value instanceof KernelSettingsSample sample) {
            onKernel(host, sample, now);
        } else if (value instanceof WireguardSample sample) {
            onWireguard(host, sample, now);
        } else if (value instanceof PmtuSample sample) {
            onPmtu(host, sample, now);
        } else if (value instanceof QdiscSample sample) {
            onQdisc(host, sample, now);
        } else if (value instanceof NicSample sample) {
            onNic(host, sample, now);
        } else if (value instanceof InterfaceConfigSample sample) {
            keepLatest(interfaceConfigs, host, sample, sample.getHeader(), interfaceConfigs.get(host) == null ? null
                    : interfaceConfigs.get(host).getHeader());
        } else if (value instanceof LatencySample sample) {
            keepLatest(latencies, host, sample, sample.getHeader(), latencies.get(host) == null ? null
                    : latencies.get(host).getHeader());
            onLatency(host, sample);
        } else if (value instanceof CommandResult result) {
            onResult(host, result, now);
        } else if (value instanceof CommandDecision decision && decision.getManual() != null) {
            onManual(host, decision, now);
        }
    }

    /**
     * An operator's command by hand: checked, then watched as a change of this host and handed to the gate to be
     * signed; refused, it is dead-lettered and counted like a refused decision, and nothing changes.
     */
    private void onManual(String host, CommandDecision decision, long now) {
        HostState state = hostState(host);
        String seenKey = MANUAL_SEEN + decision.getCommandId();
        boolean seen = state.getRefusedUntilMs().containsKey(seenKey)
                || state.getPending().containsKey(decision.getCommandId());
        Optional<DecisionCheck.Refusal> refusal = decisionCheck.checkManual(decision, host, seen,
                context.currentSystemTimeMs());
        boolean authentic = refusal.isEmpty() || refusal.get().reason() == DecisionCheck.Reason.ALREADY_DECIDED
                || refusal.get().reason() == DecisionCheck.Reason.TOO_OLD
                || refusal.get().reason() == DecisionCheck.Reason.FROM_THE_FUTURE;
        ManualCommand manual = decision.getManual();
        ManualChange.Result change = null;
        if (refusal.isEmpty()) {
            change = ManualChange.of(manual.getAction(), manual.getTarget(), manual.getNewValue(), context(host));
            if (!change.accepted()) {
                refusal = Optional.of(new DecisionCheck.Refusal(DecisionCheck.Reason.of(change.refusal()),
                        change.detail()));
            }
        }
        if (authentic && !seen) {
            // a signed request is spent once, whatever became of it: the operator asks again with a new id
            state.getRefusedUntilMs().put(seenKey, now + decisionCheck.maxAge().toMillis()
                    + DecisionCheck.CLOCK_SKEW.toMillis());
            hostStates.put(host, state);
        }
        if (refusal.isPresent()) {
            Headers headers = refusedDecisions.refused(decision, refusal.get());
            context.forward(new Record<>(host, new Outbound(Destination.REFUSED_DECISIONS, decision), now, headers));
            return;
        }
        String why = decision.getReason() == null ? "" : ": " + decision.getReason();
        String reason = "by hand, " + decision.getOperator() + why + "; "
                + change.change().action().name().toLowerCase(Locale.ROOT) + " of " + change.change().target() + " "
                + change.change().expectedValue() + " -> " + change.change().newValue();
        TuningCommand candidate = Commands.unsigned(decision.getCommandId(), host, change.change(), null, reason,
                plannerSettings.dryRun(), null, now, plannerSettings.commandTtl().toMillis());
        verifier.expectManual(state, candidate, now);
        hostStates.put(host, state);
        LOG.info("{} asked for {} on {} by hand: {}", decision.getOperator(), decision.getCommandId(), host, reason);
        emit(host, Destination.FLEET, candidate, now);
    }

    private void onInterrupts(String host, InterruptSample sample, long now) {
        interrupts.accept(host, sample).rates().ifPresent(rates -> {
            emit(host, Destination.INTERRUPT_RATES, rates, now);
            interruptRates.put(host, rates);
            handle(host, detectors.onInterrupts(rates, sample, interfaceConfigs.get(host)), Map.of(),
                    rates.getHeader().getFromMs(), now);
        });
    }

    private void onSoftnet(String host, SoftnetSample sample, long now) {
        softnet.accept(host, sample).rates().ifPresent(rates -> {
            emit(host, Destination.SOFTNET_RATES, rates, now);
            handle(host, detectors.onSoftnet(rates), GuardMetric.of(rates), rates.getHeader().getFromMs(), now);
            double squeeze = rates.getCpus().stream().mapToDouble(SoftnetCpuRate::getTimeSqueezePerSec).sum();
            double dropped = rates.getCpus().stream().mapToDouble(SoftnetCpuRate::getDroppedPerSec).sum();
            emitMetrics(host, Map.of(FleetOutlierDetector.SQUEEZE, squeeze, FleetOutlierDetector.BACKLOG_DROPS,
                    dropped), now);
        });
    }

    private void onLink(String host, LinkSample sample, long now) {
        links.accept(host, sample).rates().ifPresent(rates -> {
            emit(host, Destination.LINK_RATES, rates, now);
            linkRates.put(host, rates);
            handle(host, detectors.onLink(rates, interfaceConfigs.get(host), interruptRates.get(host)),
                    GuardMetric.of(rates), rates.getHeader().getFromMs(), now);
        });
    }

    private void onKernel(String host, KernelSettingsSample sample, long now) {
        kernel.accept(host, sample).rates().ifPresent(rates -> {
            emit(host, Destination.KERNEL_RATES, rates, now);
            List<Finding> findings = detectors.onKernel(rates, interfaceConfigs.get(host), latencies.get(host),
                    linkRates.get(host));
            handle(host, findings, GuardMetric.of(rates), rates.getHeader().getFromMs(), now);
            if (rates.getUdpRcvbufErrorsPerSec() != null) {
                emitMetrics(host, Map.of(FleetOutlierDetector.UDP_RCVBUF_ERRORS, rates.getUdpRcvbufErrorsPerSec()),
                        now);
            }
        });
    }

    /** No rates are published (the contract has no WireGuard rates topic): the peers' findings only. */
    private void onWireguard(String host, WireguardSample sample, long now) {
        wireguard.accept(host, sample).rates().ifPresent(rates ->
                handle(host, detectors.onWireguard(rates), Map.of(), rates.header().getFromMs(), now));
    }

    /**
     * The latest probing's paths, which the agent publishes every round: every sample is an interval of the
     * tunnels' hysteresis, judged from when its probing's result was first seen. A change's verdict counts only
     * probings first seen after it was applied (a changed MTU changes every path of its tunnel, so the probing
     * after it is always a new one), never the stale paths published until the agent probed again.
     */
    private void onPmtu(String host, PmtuSample sample, long now) {
        PmtuSample latest = latestPmtu.get(host);
        if (!SampleOrder.of(latest == null ? null : latest.getHeader(), sample.getHeader()).keep()) {
            return; // a duplicate, or older than the latest: not another round
        }
        latestPmtu.put(host, sample);
        PmtuSample probing = pmtuProbings.get(host);
        if (probing == null || !probing.getPaths().equals(sample.getPaths())
                || SampleOrder.of(probing.getHeader(), sample.getHeader()) != SampleOrder.NEXT) {
            pmtuProbings.put(host, sample);
            probing = sample;
        }
        handle(host, detectors.onPmtu(sample), Map.of(), probingStart(host, probing), now);
    }

    /**
     * When a probing's result began to hold: its first sample's time, or, for a probing that shows a tunnel at the
     * MTU a change of this host set, no earlier than that change's application. The tunnel's MTU is the ladder's
     * top, so such a probing was made after the change even when its round began before the result was written
     * (a round's time is taken at its start; a command can land while it runs).
     */
    private long probingStart(String host, PmtuSample probing) {
        long start = probing.getHeader().getSampleTimeMs();
        HostState state = hostStates.get(host);
        if (state == null) {
            return start;
        }
        for (var pending : state.getPending().values()) {
            if (pending.getAppliedAtMs() == null || pending.getAppliedAtMs() <= start
                    || !TuningAction.MTU.name().equals(pending.getAction())) {
                continue;
            }
            for (var path : probing.getPaths()) {
                if (pending.getTarget().equals(path.getTunnelInterface())
                        && pending.getNewValue().equals(Integer.toString(path.getTunnelMtu()))) {
                    start = pending.getAppliedAtMs();
                }
            }
        }
        return start;
    }

    /**
     * No rates are published (the contract has no qdisc rates topic): the egress queues' findings only, judged
     * with the latest interface configuration (which interfaces are tunnels and underlays, their txqueuelen).
     */
    private void onQdisc(String host, QdiscSample sample, long now) {
        qdiscs.accept(host, sample).rates().ifPresent(rates ->
                handle(host, detectors.onQdisc(rates, interfaceConfigs.get(host)), Map.of(),
                        rates.header().getFromMs(), now));
    }

    /**
     * No rates are published (the contract has no NIC rates topic): the NICs' findings only, as the doctor judges
     * them: the ring drop rates since the previous NIC sample (none for the first one, or after a reboot), the
     * sample's rings, channels and coalescing, and the host's latest interrupt rates and sample for the queues'
     * interrupt rates; the NICs' ring drops are a guard metric of every change. The interval starts at the previous
     * sample, or at this one when there is no rate: a sample collected before a command never counts for that
     * command's verdict, nor does the first one after it (its rates span the command).
     */
    private void onNic(String host, NicSample sample, long now) {
        RateTracker.Step<NicRates> step = nics.accept(host, sample);
        if (!step.order().keep()) {
            return; // a duplicate, or older than the baseline
        }
        NicRates rates = step.rates().orElse(null);
        long intervalStart = rates != null ? rates.header().getFromMs() : sample.getHeader().getSampleTimeMs();
        handle(host, detectors.onNic(rates, sample, interruptRates.get(host), interrupts.latest(host).orElse(null)),
                rates == null ? Map.of() : GuardMetric.of(rates), intervalStart, now);
    }

    private void onLatency(String host, LatencySample sample) {
        HostState state = hostStates.get(host);
        if (state != null && verifier.observeLatency(state, sample)) {
            hostStates.put(host, state);
        }
    }

    private void onResult(String host, CommandResult result, long now) {
        HostState state = hostState(host);
        if (verifier.onResult(state, result, latencies.get(host))) {
            emit(host, Destination.FLEET, result, now);
        }
        hostStates.put(host, state);
    }

    /**
     * Hysteresis, verification and planning for one interval's findings and guard metrics, in one read and write
     * of the host's state.
     */
    private void handle(String host, List<Finding> findings, Map<GuardMetric, Double> guards, long intervalStartMs,
                        long now) {
        if (findings.isEmpty() && guards.isEmpty()) {
            expire(host, now);
            return;
        }
        HostState state = hostState(host);
        verifier.observeGuard(state, guards, intervalStartMs);
        HostContext hostContext = null;
        for (Finding finding : findings) {
            Track track = state.getTracks().computeIfAbsent(finding.trackKey(), k -> HotspotTracker.newTrack(finding));
            tracker.apply(track, host, finding, intervalStartMs, now).ifPresent(hotspot -> {
                if (hotspot.getState() == HotspotState.OPEN && hotspot.getOpenedAtMs() == now) {
                    verifier.onHotspotOpened(state, track, now);
                }
                publish(host, hotspot, now);
            });
            for (RemediationVerifier.Judgement judgement
                    : verifier.observe(state, host, finding.trackKey(), finding.metric(), intervalStartMs, now)) {
                emitOutcome(host, judgement.outcome(), now);
                judgement.rollback().ifPresent(rollback -> emit(host, Destination.FLEET, rollback, now));
            }
            if (tracker.isOpen(track)) {
                if (hostContext == null) {
                    hostContext = context(host);
                }
                for (TuningCommand candidate : planner.plan(state, host, track, finding, hostContext, now)) {
                    emit(host, Destination.FLEET, candidate, now);
                }
            }
        }
        verifier.endGuardInterval(state, guards.keySet(), intervalStartMs);
        for (RemediationVerifier.Judgement judgement : verifier.observeManual(state, host, now)) {
            emitOutcome(host, judgement.outcome(), now);
            judgement.rollback().ifPresent(rollback -> emit(host, Destination.FLEET, rollback, now));
        }
        for (CommandOutcome outcome : verifier.expire(state, host, now)) {
            emitOutcome(host, outcome, now);
        }
        state.getTracks().values().removeIf(t -> t.getHotspotId() == null && now - t.getLastSeenMs() > TRACK_IDLE_MS);
        state.getCooldownUntilMs().values().removeIf(until -> until <= now);
        state.getBackoffUntilMs().values().removeIf(until -> until <= now);
        state.getRefusedUntilMs().values().removeIf(until -> until <= now);
        hostStates.put(host, state);
    }

    /** Changes waiting for a result or a metric time out also on samples that find nothing. */
    private void expire(String host, long now) {
        HostState state = hostState(host);
        if (state.getPending().isEmpty()) {
            return;
        }
        List<CommandOutcome> outcomes = verifier.expire(state, host, now);
        if (!outcomes.isEmpty()) {
            outcomes.forEach(outcome -> emitOutcome(host, outcome, now));
            hostStates.put(host, state);
        }
    }

    private HostContext context(String host) {
        InterruptSample lastInterrupts = interrupts.latest(host).orElse(null);
        return new HostContext(interfaceConfigs.get(host), kernel.latest(host).orElse(null),
                lastInterrupts == null ? List.of() : lastInterrupts.getOnlineCpus(), lastInterrupts,
                interruptRates.get(host), thresholds, nics.latest(host).orElse(null),
                qdiscs.latest(host).orElse(null));
    }

    private HostState hostState(String host) {
        HostState state = hostStates.get(host);
        return state != null ? state : HostState.newBuilder().build();
    }

    private static <S> void keepLatest(DecodedStore<S> store, String host, S sample,
                                       io.tunnelvision.schemas.avro.SampleHeader header,
                                       io.tunnelvision.schemas.avro.SampleHeader previous) {
        if (SampleOrder.of(previous, header).keep()) {
            store.put(host, sample);
        }
    }

    private void publish(String host, Hotspot hotspot, long now) {
        counters.hotspot(hotspot, now);
        emit(host, Destination.HOTSPOTS, hotspot, now);
        emit(host, Destination.FLEET, hotspot, now);
    }

    private void emitOutcome(String host, CommandOutcome outcome, long now) {
        counters.verdict(outcome);
        emit(host, Destination.OUTCOMES, outcome, now);
        emit(host, Destination.FLEET, outcome, now);
    }

    /** Headline rates for the fleet's outlier check, at most once per {@code outlierEvery} (their mean). */
    private void emitMetrics(String host, Map<String, Double> values, long now) {
        fleetReports.add(host, values, now).ifPresent(report -> emit(host, Destination.FLEET, report, now));
    }

    private void emit(String host, Destination destination, SpecificRecord value, long now) {
        context.forward(new Record<>(host, new Outbound(destination, value), now));
    }
}

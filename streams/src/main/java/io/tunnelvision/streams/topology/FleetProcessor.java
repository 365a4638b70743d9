package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.streams.avro.FleetTypeState;
import io.tunnelvision.streams.avro.HostMetrics;
import io.tunnelvision.rules.avro.Track;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.detect.HotspotTracker;
import io.tunnelvision.streams.fleet.CommandGate;
import io.tunnelvision.streams.fleet.DecisionCheck;
import io.tunnelvision.streams.fleet.FleetHotspotDetector;
import io.tunnelvision.streams.fleet.FleetOutlierDetector;
import io.tunnelvision.rules.plan.PlannerSettings;
import io.tunnelvision.streams.state.DecodedStore;
import io.tunnelvision.streams.topology.Outbound.Destination;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The fleet stage, on a single partition: fleet hotspots from the hosts' hotspots, outliers from the hosts'
 * headline rates, and the command gate. One partition is what makes "at most N unverified changes" and the
 * canary order fleet-wide; it sees a few records per host and interval, not the samples.
 */
final class FleetProcessor implements Processor<String, SpecificRecord, String, Outbound> {

    private final DetectionThresholds thresholds;
    private final PlannerSettings plannerSettings;
    private final CommandSigner signer;
    private final DecisionCheck decisionCheck;
    private final String decisionsTopic;
    private final FleetHotspotDetector fleetHotspots;
    private final FleetOutlierDetector outliers;
    private final HotspotTracker tracker;

    private ProcessorContext<String, Outbound> context;
    private KeyValueStore<String, FleetTypeState> types;
    private KeyValueStore<String, HostMetrics> hostMetricsStore;
    private DecodedStore<Track> outlierTracks;
    private CommandGate gate;
    private RefusedDecisions refusedDecisions;
    private OutputCounters counters;
    /** Write-through copy of {@link TunnelvisionTopology#FLEET_HOST_METRICS}: every metric event needs all hosts. */
    private final Map<String, HostMetrics> hostMetrics = new HashMap<>();

    FleetProcessor(DetectionThresholds thresholds, PlannerSettings plannerSettings, CommandSigner signer,
                   DecisionCheck decisionCheck, String decisionsTopic) {
        this.thresholds = thresholds;
        this.plannerSettings = plannerSettings;
        this.signer = signer;
        this.decisionCheck = decisionCheck;
        this.decisionsTopic = decisionsTopic;
        this.fleetHotspots = new FleetHotspotDetector(thresholds);
        this.outliers = new FleetOutlierDetector(thresholds);
        this.tracker = HotspotTracker.of(thresholds);
    }

    @Override
    public void init(ProcessorContext<String, Outbound> context) {
        this.context = context;
        types = context.getStateStore(TunnelvisionTopology.FLEET_TYPES);
        hostMetricsStore = context.getStateStore(TunnelvisionTopology.FLEET_HOST_METRICS);
        outlierTracks = new DecodedStore<>(context.getStateStore(TunnelvisionTopology.FLEET_OUTLIER_TRACKS));
        gate = new CommandGate(plannerSettings, signer, decisionCheck, context::currentSystemTimeMs,
                new CommandGate.Stores(context.getStateStore(TunnelvisionTopology.GATE),
                        context.getStateStore(TunnelvisionTopology.GATE_HELD),
                        context.getStateStore(TunnelvisionTopology.GATE_PROPOSALS),
                        context.getStateStore(TunnelvisionTopology.GATE_DECIDED), types));
        refusedDecisions = new RefusedDecisions(context.metrics(), decisionsTopic);
        counters = new OutputCounters(context.metrics());
        hostMetrics.clear();
        try (KeyValueIterator<String, HostMetrics> it = hostMetricsStore.all()) {
            while (it.hasNext()) {
                KeyValue<String, HostMetrics> entry = it.next();
                hostMetrics.put(entry.key, entry.value);
            }
        }
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        try {
            dispatch(record.value(), record.timestamp());
        } catch (RuntimeException e) {
            // the record may be skipped by the processing exception handler: no half-changed track may stay
            outlierTracks.evictAll();
            throw e;
        }
    }

    private void dispatch(SpecificRecord value, long now) {
        if (value instanceof Hotspot hotspot) {
            onHostHotspot(hotspot, now);
        } else if (value instanceof HostMetrics metrics) {
            onMetrics(metrics, now);
        } else if (value instanceof TuningCommand candidate) {
            release(gate.offer(candidate, now), now);
        } else if (value instanceof CommandOutcome outcome) {
            release(gate.settle(outcome.getCommandId(), outcome.getOutcome(), now), now);
        } else if (value instanceof CommandResult result) {
            release(gate.settle(result.getCommandId(), null, now), now);
        } else if (value instanceof CommandDecision decision) {
            onDecision(decision, now);
        }
    }

    private void onDecision(CommandDecision decision, long now) {
        CommandGate.Decided decided = gate.decide(decision, now);
        if (decided.refusal() == null) {
            release(decided.releases(), now);
            return;
        }
        Headers headers = refusedDecisions.refused(decision, decided.refusal());
        context.forward(new Record<>(decision.getHostId(), new Outbound(Destination.REFUSED_DECISIONS, decision), now,
                headers));
    }

    private void onHostHotspot(Hotspot hotspot, long now) {
        if (hotspot.getScope() != HotspotScope.HOST || hotspot.getHostId() == null) {
            return;
        }
        String type = hotspot.getType().name();
        FleetTypeState state = types.get(type);
        if (state == null) {
            state = FleetHotspotDetector.newState(hotspot.getType());
        }
        FleetTypeState current = state;
        fleetHotspots.onHostHotspot(state, hotspot, activeHosts(now).size(), now).ifPresent(fleet -> {
            emit(fleet.getHotspotId(), Destination.HOTSPOTS, fleet, now);
            if (fleet.getState() == HotspotState.OPEN && fleet.getOpenedAtMs() == now) {
                gate.onFleetOpened(current);
            }
        });
        types.put(type, state);
    }

    private void onMetrics(HostMetrics metrics, long now) {
        HostMetrics merged = hostMetrics.get(metrics.getHostId());
        if (merged == null) {
            merged = metrics;
        } else {
            Map<String, Double> values = new HashMap<>(merged.getValues());
            values.putAll(metrics.getValues());
            merged = HostMetrics.newBuilder().setHostId(metrics.getHostId()).setTimeMs(now).setValues(values).build();
        }
        hostMetrics.put(merged.getHostId(), merged);
        hostMetricsStore.put(merged.getHostId(), merged);
        long stale = now - 2 * thresholds.fleetWindow().toMillis();
        hostMetrics.values().removeIf(m -> {
            boolean gone = m.getTimeMs() < stale;
            if (gone) {
                hostMetricsStore.delete(m.getHostId());
            }
            return gone;
        });
        List<HostMetrics> active = activeHosts(now);
        Map<String, Track> tracks = new HashMap<>();
        for (String metric : metrics.getValues().keySet()) {
            Track track = outlierTracks.get(outlierKey(metric, metrics.getHostId()));
            if (track != null) {
                tracks.put(metric, track);
            }
        }
        for (Finding finding : outliers.evaluate(metrics, active, tracks::containsKey)) {
            String key = outlierKey(finding.target(), metrics.getHostId());
            Track track = tracks.get(finding.target());
            if (track == null && !finding.bad()) {
                continue;
            }
            if (track == null) {
                track = HotspotTracker.newTrack(finding);
            }
            tracker.apply(track, metrics.getHostId(), finding, metrics.getTimeMs(), now)
                    .ifPresent(hotspot -> emit(metrics.getHostId(), Destination.HOTSPOTS, hotspot, now));
            if (tracker.isOpen(track) || track.getBadStreak() > 0) {
                outlierTracks.put(key, track);
            } else {
                // closed and no bad streak: the same as no track at all, which is what nearly every host has
                outlierTracks.delete(key);
            }
        }
    }

    private static String outlierKey(String metric, String host) {
        return metric + "|" + host;
    }

    private List<HostMetrics> activeHosts(long now) {
        long since = now - thresholds.fleetWindow().toMillis();
        return hostMetrics.values().stream().filter(m -> m.getTimeMs() >= since).toList();
    }

    private void release(List<CommandGate.Release> releases, long now) {
        for (CommandGate.Release release : releases) {
            counters.released(release.command(), release.proposal());
            emit(release.command().getHostId(), release.proposal() ? Destination.PROPOSALS : Destination.COMMANDS,
                    release.command(), now);
        }
    }

    private void emit(String key, Destination destination, SpecificRecord value, long now) {
        if (value instanceof Hotspot hotspot) {
            counters.hotspot(hotspot, now);
        }
        context.forward(new Record<>(key, new Outbound(destination, value), now));
    }
}

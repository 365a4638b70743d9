package io.tunnelvision.streams.fleet;

import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.streams.avro.FleetTypeState;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.HotspotIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The same hotspot type open on at least {@code fleetShare} of the active gateways (and on at least
 * {@code fleetMinHosts}) within {@code fleetWindow}: something fleet-wide, such as a kernel or driver rollout.
 * A host whose hotspot closed less than a window ago still counts, so a flapping fleet does not flap the
 * fleet hotspot; it closes when the share falls below half the threshold.
 */
public final class FleetHotspotDetector {

    private final DetectionThresholds thresholds;

    public FleetHotspotDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public static FleetTypeState newState(HotspotType type) {
        return FleetTypeState.newBuilder().setType(type.name()).build();
    }

    /**
     * Applies one host hotspot record to its type's fleet state (changed in place) and returns the fleet hotspot
     * record to publish, if any.
     *
     * @param activeHosts gateways that reported within the window
     */
    public Optional<Hotspot> onHostHotspot(FleetTypeState state, Hotspot hotspot, int activeHosts, long nowMs) {
        String host = hotspot.getHostId();
        if (hotspot.getState() == HotspotState.OPEN) {
            state.getOpenSinceMs().putIfAbsent(host, hotspot.getOpenedAtMs());
            state.getClosedAtMs().remove(host);
        } else {
            state.getOpenSinceMs().remove(host);
            state.getClosedAtMs().put(host, nowMs);
        }
        long windowStart = nowMs - thresholds.fleetWindow().toMillis();
        state.getClosedAtMs().values().removeIf(closed -> closed < windowStart);
        TreeSet<String> affected = new TreeSet<>(state.getOpenSinceMs().keySet());
        affected.addAll(state.getClosedAtMs().keySet());
        int population = Math.max(activeHosts, affected.size());
        double share = population == 0 ? 0 : (double) affected.size() / population;
        boolean open = state.getHotspotId() != null;
        boolean qualifies = affected.size() >= thresholds.fleetMinHosts() && share >= thresholds.fleetShare();
        HotspotType type = HotspotType.valueOf(state.getType());
        if (!open && qualifies) {
            state.setHotspotId(HotspotIds.of(type, HotspotIds.FLEET_HOST, "fleet", nowMs));
            state.setOpenedAtMs(nowMs);
            state.setHosts(new ArrayList<>(affected));
            return Optional.of(publish(state, type, HotspotState.OPEN, share, population, windowStart, nowMs));
        }
        if (open && (state.getOpenSinceMs().isEmpty() || share < thresholds.fleetShare() / 2)) {
            Hotspot closed = publish(state, type, HotspotState.CLOSED, share, population, windowStart, nowMs);
            state.setHotspotId(null);
            state.setHosts(new ArrayList<>());
            state.setCanaryHosts(new ArrayList<>());
            state.setCanaryVerified(new ArrayList<>());
            state.setCanaryFailed(false);
            return Optional.of(closed);
        }
        if (open && !new TreeSet<>(state.getHosts()).equals(affected)) {
            state.setHosts(new ArrayList<>(affected));
            return Optional.of(publish(state, type, HotspotState.OPEN, share, population, windowStart, nowMs));
        }
        return Optional.empty();
    }

    private Hotspot publish(FleetTypeState state, HotspotType type, HotspotState hotspotState, double share,
                            int population, long windowStart, long nowMs) {
        Severity severity = share >= Math.min(1.0, 2 * thresholds.fleetShare()) ? Severity.CRITICAL : Severity.WARNING;
        String summary = hotspotState == HotspotState.OPEN
                ? String.format("%s on %d of %d gateways (%.0f%%)", type.name().toLowerCase(), state.getHosts().size(),
                        population, 100 * share)
                : "resolved: " + type.name().toLowerCase() + " is no longer fleet-wide";
        return Hotspot.newBuilder()
                .setHotspotId(state.getHotspotId())
                .setScope(HotspotScope.FLEET)
                .setHostId(null)
                .setType(type)
                .setSeverity(severity)
                .setState(hotspotState)
                .setTarget("fleet")
                .setSummary(summary)
                .setEvidence(Map.of("share", share, "hosts", (double) state.getHosts().size(),
                        "activeHosts", (double) population))
                .setHosts(List.copyOf(state.getHosts()))
                .setWindowStartMs(windowStart)
                .setWindowEndMs(nowMs)
                .setOpenedAtMs(state.getOpenedAtMs())
                .setUpdatedAtMs(nowMs)
                .setClosedAtMs(hotspotState == HotspotState.CLOSED ? nowMs : null)
                .build();
    }
}

package io.tunnelvision.rules.detect;

import io.tunnelvision.rules.StateClasses;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Severity;
import io.tunnelvision.rules.avro.Track;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hysteresis between findings and hotspots: a hotspot opens after {@code openAfter} consecutive bad intervals,
 * is re-published while open when its severity changes or every {@code updateEvery}, and closes after
 * {@code closeAfter} consecutive good ones. It also keeps the metric's recent history on the track, and its
 * baseline: the intervals since the bad streak began (the verifier restarts it at each verdict), which is what a
 * change is compared with, never the quiet intervals before the fault.
 */
public final class HotspotTracker {

    static {
        StateClasses.trust();
    }

    private final int openAfter;
    private final int closeAfter;
    private final long updateEveryMs;
    private final int recentIntervals;

    public HotspotTracker(int openAfter, int closeAfter, Duration updateEvery, int recentIntervals) {
        this.openAfter = openAfter;
        this.closeAfter = closeAfter;
        this.updateEveryMs = updateEvery.toMillis();
        this.recentIntervals = recentIntervals;
    }

    public static HotspotTracker of(DetectionThresholds thresholds) {
        return new HotspotTracker(thresholds.openAfter(), thresholds.closeAfter(), thresholds.updateEvery(),
                thresholds.recentIntervals());
    }

    public static Track newTrack(Finding finding) {
        return Track.newBuilder().setType(finding.type().name()).setTarget(finding.target()).build();
    }

    /**
     * Applies one interval's finding to its track (changed in place) and returns the hotspot record to publish,
     * if any.
     *
     * @param intervalStartMs where the interval the finding judges began
     * @param nowMs           where it ended
     */
    public Optional<Hotspot> apply(Track track, String host, Finding finding, long intervalStartMs, long nowMs) {
        track.setLastSeenMs(nowMs);
        List<Double> recent = new ArrayList<>(track.getRecent());
        recent.add(finding.metric());
        while (recent.size() > recentIntervals) {
            recent.remove(0);
        }
        track.setRecent(recent);
        boolean wasOpen = track.getHotspotId() != null;
        if (finding.bad() && track.getBadStreak() == 0 && !wasOpen) {
            track.setBaseline(new ArrayList<>());
        }
        if (finding.bad() || wasOpen) {
            List<Double> baseline = new ArrayList<>(track.getBaseline());
            baseline.add(finding.metric());
            while (baseline.size() > recentIntervals) {
                baseline.remove(0);
            }
            track.setBaseline(baseline);
        } else if (!track.getBaseline().isEmpty()) {
            track.setBaseline(new ArrayList<>());
        }
        if (finding.bad()) {
            if (track.getBadStreak() == 0) {
                track.setBadSinceMs(intervalStartMs);
            }
            track.setBadStreak(track.getBadStreak() + 1);
            track.setGoodStreak(0);
        } else {
            track.setGoodStreak(track.getGoodStreak() + 1);
            track.setBadStreak(0);
        }
        boolean open = track.getHotspotId() != null;
        if (!open && track.getBadStreak() >= openAfter) {
            track.setHotspotId(HotspotIds.of(finding.type(), host, finding.target(), nowMs));
            track.setOpenedAtMs(nowMs);
            return Optional.of(publish(track, host, finding, finding.severity(), HotspotState.OPEN, nowMs));
        }
        if (open && finding.bad() && (!finding.severity().name().equals(track.getSeverity())
                || nowMs - track.getPublishedAtMs() >= updateEveryMs)) {
            return Optional.of(publish(track, host, finding, finding.severity(), HotspotState.OPEN, nowMs));
        }
        if (open && track.getGoodStreak() >= closeAfter) {
            Hotspot closed = publish(track, host, finding, Severity.valueOf(track.getSeverity()), HotspotState.CLOSED,
                    nowMs);
            track.setHotspotId(null);
            return Optional.of(closed);
        }
        return Optional.empty();
    }

    public boolean isOpen(Track track) {
        return track.getHotspotId() != null;
    }

    private static Hotspot publish(Track track, String host, Finding finding, Severity severity, HotspotState state,
                                   long nowMs) {
        track.setPublishedAtMs(nowMs);
        track.setSeverity(severity.name());
        String summary = state == HotspotState.CLOSED
                ? "resolved: " + finding.type().name().toLowerCase() + " on " + finding.target() + " is back to normal"
                : finding.summary();
        return Hotspot.newBuilder()
                .setHotspotId(track.getHotspotId())
                .setScope(HotspotScope.HOST)
                .setHostId(host)
                .setType(HotspotType.valueOf(track.getType()))
                .setSeverity(severity)
                .setState(state)
                .setTarget(track.getTarget())
                .setSummary(summary)
                .setEvidence(new java.util.HashMap<>(finding.evidence()))
                .setHosts(List.of())
                .setWindowStartMs(track.getBadSinceMs())
                .setWindowEndMs(nowMs)
                .setOpenedAtMs(track.getOpenedAtMs())
                .setUpdatedAtMs(nowMs)
                .setClosedAtMs(state == HotspotState.CLOSED ? nowMs : null)
                .build();
    }
}

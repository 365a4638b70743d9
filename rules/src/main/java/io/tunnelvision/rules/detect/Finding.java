package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Severity;
import java.util.Map;
import java.util.Objects;

/**
 * One detector's judgement of one target over one interval. Detectors report every target they look at, good
 * or bad, so the metric's history is there to judge a change against (verification) and streaks can end.
 *
 * @param metric   the number that decides, also the one a remediation is verified against (lower is better)
 * @param evidence the numbers a person (and the planner) needs, published with the hotspot
 */
public record Finding(HotspotType type, String target, boolean bad, Severity severity, double metric,
                      Map<String, Double> evidence, String summary) {

    public Finding {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(severity, "severity");
        evidence = Map.copyOf(evidence);
        Objects.requireNonNull(summary, "summary");
    }

    public static Finding good(HotspotType type, String target, double metric, Map<String, Double> evidence) {
        return new Finding(type, target, false, Severity.INFO, metric, evidence, "");
    }

    public static Finding bad(HotspotType type, String target, double metric, double threshold,
                              Map<String, Double> evidence, String summary) {
        Severity severity = metric >= 10 * threshold ? Severity.CRITICAL : Severity.WARNING;
        return new Finding(type, target, true, severity, metric, evidence, summary);
    }

    public String trackKey() {
        return trackKey(type, target);
    }

    public static String trackKey(HotspotType type, String target) {
        return type.name() + "|" + target;
    }
}

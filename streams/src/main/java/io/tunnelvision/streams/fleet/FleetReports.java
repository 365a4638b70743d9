package io.tunnelvision.streams.fleet;

import io.tunnelvision.streams.avro.HostMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides when a gateway's headline rates go to the single-partition fleet stage: at most once per metric and
 * {@code every} of sample time (intervals aligned to the epoch), carrying the mean of the values since the last
 * report. The first value in a new interval is reported at once, so at a sampling interval of {@code every} or
 * longer every value goes out as it comes, and faster sampling or a replayed backlog sends one report per
 * interval instead of one record per sample through the fleet repartition topic.
 * <p>
 * The values since the last report are kept in memory only: after a restart or a fail-over the next value of
 * each metric is reported at once (one report early), and values not yet reported are lost (the mean of one
 * interval covers fewer samples). Neither changes what a sample alone decides, since the outlier check reads
 * the fleet's latest values.
 */
public final class FleetReports {

    private final long everyMs;
    private final Map<String, Map<String, Pending>> hosts = new HashMap<>();

    public FleetReports(Duration every) {
        this.everyMs = every.toMillis();
    }

    /** Adds one interval's values of a host; the report due now, if any (metrics whose interval moved on). */
    public Optional<HostMetrics> add(String host, Map<String, Double> values, long timeMs) {
        long slot = Math.floorDiv(timeMs, everyMs);
        Map<String, Pending> pending = hosts.computeIfAbsent(host, h -> new HashMap<>());
        Map<String, Double> due = null;
        for (Map.Entry<String, Double> value : values.entrySet()) {
            Pending p = pending.computeIfAbsent(value.getKey(), m -> new Pending());
            p.sum += value.getValue();
            p.count++;
            if (p.reportedSlot == Long.MIN_VALUE || slot > p.reportedSlot) {
                if (due == null) {
                    due = new HashMap<>();
                }
                due.put(value.getKey(), p.sum / p.count);
                p.sum = 0;
                p.count = 0;
                p.reportedSlot = slot;
            }
        }
        return due == null ? Optional.empty()
                : Optional.of(HostMetrics.newBuilder().setHostId(host).setTimeMs(timeMs).setValues(due).build());
    }

    /** Forgets everything not yet reported (a task that starts over after a restore). */
    public void clear() {
        hosts.clear();
    }

    private static final class Pending {
        double sum;
        int count;
        long reportedSlot = Long.MIN_VALUE;
    }
}

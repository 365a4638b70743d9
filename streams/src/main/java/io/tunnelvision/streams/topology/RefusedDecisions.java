package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.topic.DeadLetterHeaders;
import io.tunnelvision.streams.fleet.DecisionCheck;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.streams.StreamsMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a decision the gate refused: one warning with its reason, one count in the app's metrics
 * ({@value #METRIC} in group {@value #GROUP}, label {@code reason}; on JMX {@code kafka.streams:type=}{@value #GROUP})
 * and the headers of its dead-letter record.
 */
final class RefusedDecisions {

    static final String GROUP = "tunnelvision-gate";
    static final String METRIC = "decisions-refused-total";
    private static final Logger LOG = LoggerFactory.getLogger(RefusedDecisions.class);

    private final StreamsMetrics metrics;
    private final String decisionsTopic;
    private final Map<DecisionCheck.Reason, Sensor> sensors = new EnumMap<>(DecisionCheck.Reason.class);

    RefusedDecisions(StreamsMetrics metrics, String decisionsTopic) {
        this.metrics = metrics;
        this.decisionsTopic = decisionsTopic;
        // every reason at zero from the start, so that an alert's increase() sees the first refusal
        for (DecisionCheck.Reason reason : DecisionCheck.Reason.values()) {
            sensors.put(reason, sensor(reason));
        }
    }

    /** Logs and counts the refusal; returns the dead-letter headers saying where the record came from and why. */
    Headers refused(CommandDecision decision, DecisionCheck.Refusal refusal) {
        LOG.warn("refused a decision ({} {} by '{}', command {} on {}): {}: {}", decision.getDecision(),
                decision.getTimeMs(), decision.getOperator(), decision.getCommandId(), decision.getHostId(),
                refusal.reason().label(), refusal.detail());
        sensors.computeIfAbsent(refusal.reason(), this::sensor).record();
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.SOURCE_TOPIC, decisionsTopic.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.ERROR, ("DecisionRefused: " + refusal.reason().label() + ": "
                + refusal.detail()).getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private Sensor sensor(DecisionCheck.Reason reason) {
        // get-or-create: a task that moves to another thread of this instance keeps counting on the same sensor
        Sensor sensor = metrics.addSensor(GROUP + "." + METRIC + "." + reason.label(), Sensor.RecordingLevel.INFO);
        sensor.add(new MetricName(METRIC, GROUP, "Operator decisions the gate refused (dead-lettered), by reason",
                Map.of("reason", reason.label())), new CumulativeCount());
        return sensor;
    }
}

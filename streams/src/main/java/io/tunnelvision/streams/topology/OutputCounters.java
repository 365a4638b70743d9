package io.tunnelvision.streams.topology;

import io.tunnelvision.schemas.avro.CommandOutcome;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.HotspotScope;
import io.tunnelvision.schemas.avro.HotspotState;
import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.avro.Verdict;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * What the app decided, counted where the processors emit it, as Kafka Streams metrics of group {@value #GROUP}
 * (on JMX {@code kafka.streams:type=}{@value #GROUP}; through Micrometer's binder on {@code /metrics} as
 * {@code kafka_tunnelvision_streams_<name>}): hotspots opened and closed by scope and type, commands issued and
 * proposed by action, verdicts by outcome.
 * <p>
 * Every series (with the label values as their enums name them) is registered at zero when a task starts, so that an alert's {@code increase()} sees the first one.
 * A sensor is get-or-create per client: tasks of every thread, and tasks moving between them, count on the same
 * one. Counted when emitted: a record whose transaction aborts and is processed again counts twice, which a rate
 * over minutes does not notice.
 */
final class OutputCounters {

    static final String GROUP = "tunnelvision-streams";
    static final String HOTSPOTS_OPENED = "hotspots-opened-total";
    static final String HOTSPOTS_CLOSED = "hotspots-closed-total";
    static final String COMMANDS_ISSUED = "commands-issued-total";
    static final String COMMANDS_PROPOSED = "commands-proposed-total";
    static final String VERDICTS = "verdicts-total";

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            HOTSPOTS_OPENED, "Hotspots opened, by scope and type",
            HOTSPOTS_CLOSED, "Hotspots closed, by scope and type",
            COMMANDS_ISSUED, "Signed tuning commands sent to agents, by action and kind (change, rollback)",
            COMMANDS_PROPOSED, "Tuning commands proposed for an operator's approval, by action",
            VERDICTS, "Verdicts on applied changes, by outcome");

    private final StreamsMetrics metrics;
    private final Map<String, Sensor> sensors = new HashMap<>();

    /** Registers every series (get-or-create: the host and the fleet stage's tasks all find the same ones). */
    OutputCounters(StreamsMetrics metrics) {
        this.metrics = metrics;
        for (HotspotScope scope : HotspotScope.values()) {
            for (HotspotType type : HotspotType.values()) {
                sensor(HOTSPOTS_OPENED, hotspotTags(scope, type));
                sensor(HOTSPOTS_CLOSED, hotspotTags(scope, type));
            }
        }
        for (TuningAction action : TuningAction.values()) {
            sensor(COMMANDS_ISSUED, commandTags(action, "change"));
            sensor(COMMANDS_ISSUED, commandTags(action, "rollback"));
            sensor(COMMANDS_PROPOSED, commandTags(action, null));
        }
        for (Verdict verdict : Verdict.values()) {
            sensor(VERDICTS, Map.of("verdict", verdict.name()));
        }
    }

    /** A hotspot as it is published: counted when it opens and when it closes, not on its updates. */
    void hotspot(Hotspot hotspot, long now) {
        if (hotspot.getState() == HotspotState.CLOSED) {
            sensor(HOTSPOTS_CLOSED, hotspotTags(hotspot.getScope(), hotspot.getType())).record();
        } else if (hotspot.getOpenedAtMs() == now) {
            sensor(HOTSPOTS_OPENED, hotspotTags(hotspot.getScope(), hotspot.getType())).record();
        }
    }

    /** A command the gate released: to the agents, or to the operators as a proposal. */
    void released(TuningCommand command, boolean proposal) {
        if (proposal) {
            sensor(COMMANDS_PROPOSED, commandTags(command.getAction(), null)).record();
        } else {
            sensor(COMMANDS_ISSUED, commandTags(command.getAction(),
                    command.getRollbackOf() == null ? "change" : "rollback")).record();
        }
    }

    void verdict(CommandOutcome outcome) {
        sensor(VERDICTS, Map.of("verdict", outcome.getOutcome().name())).record();
    }

    private Sensor sensor(String name, Map<String, String> tags) {
        String key = GROUP + "." + name + tags;
        Sensor sensor = sensors.get(key);
        if (sensor == null) {
            sensor = metrics.addSensor(key, Sensor.RecordingLevel.INFO);
            sensor.add(new MetricName(name, GROUP, DESCRIPTIONS.get(name), tags), new CumulativeCount());
            sensors.put(key, sensor);
        }
        return sensor;
    }

    private static Map<String, String> hotspotTags(HotspotScope scope, HotspotType type) {
        Map<String, String> tags = new TreeMap<>();
        tags.put("scope", scope.name());
        tags.put("hotspot-type", type.name()); // "type" is the JMX object name's own key
        return tags;
    }

    private static Map<String, String> commandTags(TuningAction action, String kind) {
        Map<String, String> tags = new TreeMap<>();
        tags.put("action", action.name());
        if (kind != null) {
            tags.put("kind", kind);
        }
        return tags;
    }
}

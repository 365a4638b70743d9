package io.tunnelvision.local.chaos;

import io.tunnelvision.embedded.fixture.PostgresEndpoint;
import io.tunnelvision.schemas.avro.Hotspot;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.Topics;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows every sample from the producer to its PostgreSQL row, and every command by id, after a run has come to
 * a quiet end. Kafka is read to its end with {@code isolation.level=read_committed}, as every consumer of the
 * system reads it, so an aborted transaction's records (a killed streams instance's) do not count.
 *
 * <p>Each stage is a {@link Stage}: how many items it should hold, how many of them it lacks (lost) and how many
 * it holds more than once (duplicated), with a few examples of each. The stages:
 * <ul>
 *   <li><b>samples</b>: every gateway samples once a round with its sequence 0, 1, ... rounds - 1 (one boot per
 *       run); each (host, boot, sequence) on the softnet and interrupt sample topics;</li>
 *   <li><b>order</b>: each sample's first copy is on its partition before any later sample of its host (streams
 *       drops a sample older than one it already took, so one out of order would get no rate);</li>
 *   <li><b>rates</b>: each sample whose predecessor of the same boot is on the topic gives exactly one rate
 *       record with that {@code toSequence};</li>
 *   <li><b>rows</b>: each rate record gives exactly one row (host, ts = the rate's {@code toMs}); a row no record
 *       explains counts as duplicated;</li>
 *   <li><b>hotspots</b> and <b>commands</b>: a record repeated (same hotspot, state and update time; same
 *       command id, or the same change of the same hotspot, compare-and-set value included, under another id)
 *       is duplicated; one missing in
 *       PostgreSQL is lost;</li>
 *   <li><b>faults answered</b>: every gateway with a fault has at least one command.</li>
 * </ul>
 */
final class KillVerifier {

    private static final int EXAMPLES = 5;

    /** What one stage holds against what it should hold. */
    static final class Stage {
        final String name;
        /** Copies here are expected (an at-least-once hop) and removed downstream: reported, not counted. */
        final boolean copiesAllowed;
        long expected;
        long lost;
        long duplicated;
        final List<String> examples = new ArrayList<>();

        Stage(String name) {
            this(name, false);
        }

        Stage(String name, boolean copiesAllowed) {
            this.name = name;
            this.copiesAllowed = copiesAllowed;
        }

        void expect() {
            expected++;
        }

        void lose(String what) {
            lost++;
            example("lost " + what);
        }

        void duplicate(String what, long extra) {
            duplicated += extra;
            example("duplicated " + what + (extra > 1 ? " (" + (extra + 1) + " copies)" : ""));
        }

        private void example(String text) {
            if (examples.size() < EXAMPLES) {
                examples.add(text);
            }
        }

        @Override
        public String toString() {
            return String.format("%-44s expected %8d  lost %5d  duplicated %5d%s", name, expected, lost, duplicated,
                    examples.isEmpty() ? "" : "  e.g. " + examples);
        }
    }

    /** All stages of one run, in the order a sample passes them. */
    record Report(Map<String, Stage> stages) {

        Stage stage(String name) {
            Stage stage = stages.get(name);
            if (stage == null) {
                throw new IllegalArgumentException("no stage " + name + " in " + stages.keySet());
            }
            return stage;
        }

        long lost() {
            return stages.values().stream().mapToLong(s -> s.lost).sum();
        }

        long duplicated() {
            return stages.values().stream().filter(s -> !s.copiesAllowed).mapToLong(s -> s.duplicated).sum();
        }

        /** Copies on Kafka of what the agents' spool sent again (at least once); streams drops them by sequence. */
        long resent() {
            return stages.values().stream().filter(s -> s.copiesAllowed).mapToLong(s -> s.duplicated).sum();
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            stages.values().forEach(s -> out.append(s).append('\n'));
            return out.toString();
        }
    }

    private final String bootstrap;
    private final Topics topics;
    private final PostgresEndpoint database;

    KillVerifier(String bootstrap, Topics topics, PostgresEndpoint database) {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.database = database;
    }

    /**
     * @param hosts   every gateway of the fleet
     * @param rounds  how many rounds the fleet sampled: each host's sequences are 0 to rounds - 1
     * @param faulted the gateways given a fault that a command answers
     */
    Report verify(Collection<String> hosts, long rounds, Collection<String> faulted) throws SQLException {
        Map<String, Stage> stages = new LinkedHashMap<>();
        try (Connection db = database.connect()) {
            flow(stages, "softnet", hosts, rounds, topics.softnetSamples, s -> s.getHeader(), topics.softnetRates,
                    r -> r.getHeader(), db, "softnet_rates");
            flow(stages, "interrupts", hosts, rounds, topics.interruptSamples, s -> s.getHeader(),
                    topics.interruptRates, r -> r.getHeader(), db, "interrupt_rates");
            hotspots(stages, db);
            commands(stages, db, faulted);
        }
        return new Report(stages);
    }

    private <S, R> void flow(Map<String, Stage> stages, String kind, Collection<String> hosts, long rounds,
                             Topic<String, S> sampleTopic, Function<S, SampleHeader> sampleHeader,
                             Topic<String, R> rateTopic, Function<R, RateHeader> rateHeader, Connection db,
                             String table) throws SQLException {
        // samples: producer -> Kafka
        // the spool sends at least once: a batch whose acknowledgement it never got is sent again, by a new
        // producer after a failure, so a copy on the topic is allowed here; the rates and rows must have none
        Stage samples = new Stage(kind + " samples (Kafka, copies allowed)", true);
        // order: streams takes a host's samples in sequence order and drops one older than a sample it already has,
        // so a sample whose first copy lands on the partition behind a later one of its host gets no rate
        Stage order = new Stage(kind + " samples in partition order (Kafka)");
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Set<String>> bootsOf = new HashMap<>();
        Map<String, Long> newest = new HashMap<>();
        for (S sample : read(sampleTopic)) {
            SampleHeader h = sampleHeader.apply(sample);
            String key = key(h.getHostId(), h.getBootId(), h.getSequence());
            order.expect();
            Long ahead = newest.merge(h.getHostId() + "/" + h.getBootId(), h.getSequence(), Math::max);
            if (!seen.containsKey(key) && ahead > h.getSequence()) {
                order.lose(key + " first on the partition behind #" + ahead);
            }
            seen.merge(key, 1, Integer::sum);
            bootsOf.computeIfAbsent(h.getHostId(), x -> new HashSet<>()).add(h.getBootId());
        }
        stages.put(order.name, order);
        for (String host : hosts) {
            Set<String> boots = bootsOf.getOrDefault(host, Set.of());
            if (boots.size() != 1) {
                samples.lose(host + ": " + boots.size() + " boots on the topic, one expected");
                continue;
            }
            String boot = boots.iterator().next();
            for (long seq = 0; seq < rounds; seq++) {
                samples.expect();
                Integer copies = seen.get(key(host, boot, seq));
                if (copies == null) {
                    samples.lose(host + "#" + seq);
                } else if (copies > 1) {
                    samples.duplicate(host + "#" + seq, copies - 1);
                }
            }
        }
        stages.put(samples.name, samples);

        // rates: Kafka Streams, read_committed
        Stage rates = new Stage(kind + " rates (Kafka)");
        Map<String, Integer> rateCopies = new HashMap<>();
        Map<String, Long> rateTimes = new HashMap<>();
        for (R rate : read(rateTopic)) {
            RateHeader h = rateHeader.apply(rate);
            String key = key(h.getHostId(), h.getBootId(), h.getToSequence());
            rateCopies.merge(key, 1, Integer::sum);
            rateTimes.put(h.getHostId() + "@" + h.getToMs(), h.getToMs());
        }
        for (String key : seen.keySet()) {
            int hash = key.lastIndexOf('#');
            long seq = Long.parseLong(key.substring(hash + 1));
            if (!seen.containsKey(key.substring(0, hash + 1) + (seq - 1))) {
                continue; // the first sample of a boot: no rate ends at it
            }
            rates.expect();
            Integer copies = rateCopies.remove(key);
            if (copies == null) {
                rates.lose(key);
            } else if (copies > 1) {
                rates.duplicate(key, copies - 1);
            }
        }
        rateCopies.forEach((key, copies) -> rates.duplicate("unexplained " + key, copies));
        stages.put(rates.name, rates);

        // rows: the api's ingest, PostgreSQL
        Stage rows = new Stage(kind + " rows (PostgreSQL " + table + ")");
        Map<String, Integer> rowCopies = new HashMap<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT h.host_id, r.ts FROM " + table + " r JOIN hosts h ON h.host_key = r.host_key")) {
            while (rs.next()) {
                long ms = rs.getObject(2, OffsetDateTime.class).toInstant().toEpochMilli();
                rowCopies.merge(rs.getString(1) + "@" + ms, 1, Integer::sum);
            }
        }
        for (String key : rateTimes.keySet()) {
            rows.expect();
            Integer copies = rowCopies.remove(key);
            if (copies == null) {
                rows.lose(key);
            } else if (copies > 1) {
                rows.duplicate(key, copies - 1);
            }
        }
        rowCopies.forEach((key, copies) -> rows.duplicate("unexplained row " + key, copies));
        stages.put(rows.name, rows);
    }

    private void hotspots(Map<String, Stage> stages, Connection db) throws SQLException {
        Stage onTopic = new Stage("hotspot records (Kafka)");
        Map<String, Integer> copies = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (Hotspot h : read(topics.hotspots)) {
            onTopic.expect();
            copies.merge(h.getHotspotId() + " " + h.getState() + " @" + h.getUpdatedAtMs(), 1, Integer::sum);
            ids.add(h.getHotspotId());
        }
        copies.forEach((key, n) -> {
            if (n > 1) {
                onTopic.duplicate(key, n - 1);
            }
        });
        stages.put(onTopic.name, onTopic);

        Stage inDb = new Stage("hotspots (PostgreSQL)");
        Set<String> stored = ids(db, "SELECT hotspot_id FROM hotspots");
        for (String id : ids) {
            inDb.expect();
            if (!stored.remove(id)) {
                inDb.lose(id);
            }
        }
        stored.forEach(id -> inDb.duplicate("unexplained " + id, 1));
        stages.put(inDb.name, inDb);
    }

    private void commands(Map<String, Stage> stages, Connection db, Collection<String> faulted) throws SQLException {
        Stage onTopic = new Stage("commands (Kafka)");
        Map<String, Integer> byId = new HashMap<>();
        Map<String, Set<String>> byChange = new HashMap<>();
        Set<String> hostsWithCommand = new HashSet<>();
        for (TuningCommand c : read(topics.commands)) {
            onTopic.expect();
            byId.merge(c.getCommandId(), 1, Integer::sum);
            // the change is what the command asks of the kernel: its compare-and-set value belongs to it. A
            // command the planner made again because the agent refused the first by compare-and-set (the value it
            // expected was not the kernel's: the host's settings sample lagged behind its rates) asks another
            // change, not the same one twice; a transaction replayed asks the same one with the same expectation
            byChange.computeIfAbsent(c.getHostId() + " " + c.getHotspotId() + " " + c.getAction() + " "
                    + c.getTarget() + " " + c.getExpectedValue() + "->" + c.getNewValue()
                    + (c.getRollbackOf() == null ? ""
                    : " rollback of " + c.getRollbackOf()), x -> new HashSet<>()).add(c.getCommandId());
            if (c.getRollbackOf() == null) {
                hostsWithCommand.add(c.getHostId());
            }
        }
        byId.forEach((id, n) -> {
            if (n > 1) {
                onTopic.duplicate(id, n - 1);
            }
        });
        byChange.forEach((change, commandIds) -> {
            if (commandIds.size() > 1) {
                onTopic.duplicate("change " + change + " under ids " + commandIds, commandIds.size() - 1);
            }
        });
        stages.put(onTopic.name, onTopic);

        Stage inDb = new Stage("commands (PostgreSQL)");
        Set<String> stored = ids(db, "SELECT command_id FROM commands");
        for (String id : byId.keySet()) {
            inDb.expect();
            if (!stored.remove(id)) {
                inDb.lose(id);
            }
        }
        stored.forEach(id -> inDb.duplicate("unexplained " + id, 1));
        stages.put(inDb.name, inDb);

        Stage answered = new Stage("faults with a command");
        for (String host : faulted) {
            answered.expect();
            if (!hostsWithCommand.contains(host)) {
                answered.lose(host);
            }
        }
        stages.put(answered.name, answered);
    }

    private static Set<String> ids(Connection db, String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static String key(String host, String boot, long sequence) {
        return host + "/" + boot + "#" + sequence;
    }

    /** Every committed record of the topic, from the beginning to its end now. */
    <V> List<V> read(Topic<String, V> topic) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
                topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic.name() + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}

package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.embedded.EmbeddedKafka;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent process collecting at 1 Hz while its broker is away: 45 s in CI, 10 minutes with
 * {@code -Plong} ({@code -Dtunnelvision.long=true}). Every round's samples reach every sample topic once the
 * broker is back, in order after dropping the resent ones, and the spool stays within
 * TUNNELVISION_AGENT_SPOOL_MAX_BYTES without dropping anything.
 */
class AgentOutageIT {

    private static final long SPOOL_MAX_BYTES = 16L * 1024 * 1024;

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private AgentProcess agent;

    @AfterEach
    void cleanUp() throws Exception {
        if (agent != null) {
            agent.destroy();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aBrokerAwayForMinutesLosesNoSampleAndTheSpoolStaysWithinItsBound() throws Exception {
        Duration outage = Boolean.getBoolean("tunnelvision.long") ? Duration.ofMinutes(10) : Duration.ofSeconds(45);
        kafka = new EmbeddedKafka().start();
        Topics topics = Topics.inNamespace("outage-it");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        agent = AgentProcess.start(dir, "agent", kafka.bootstrapServers(), "outage-it",
                Map.of("TUNNELVISION_AGENT_SPOOL_MAX_BYTES", Long.toString(SPOOL_MAX_BYTES)));
        agent.awaitMetricAtLeast("tunnelvision_samples_sent_total", 20, Duration.ofSeconds(60));

        // When the broker is away
        kafka.stop();
        long start = System.nanoTime();
        double publishedAtStop = agent.metric("tunnelvision_samples_published_total");
        double maxBytes = 0;
        while (System.nanoTime() - start < outage.toNanos()) {
            maxBytes = Math.max(maxBytes, agent.metric("tunnelvision_spool_bytes"));
            Thread.sleep(1_000);
        }
        double pendingAtEnd = agent.metric("tunnelvision_spool_pending_records");
        double publishedDuring = agent.metric("tunnelvision_samples_published_total") - publishedAtStop;
        kafka.start();
        long back = System.nanoTime();

        // Then the backlog drains
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (agent.metric("tunnelvision_spool_pending_records") > 10) {
            assertTrue(System.nanoTime() < deadline, "the spool did not drain");
            Thread.sleep(500);
        }
        double drainSeconds = (System.nanoTime() - back) / 1e9;
        double dropped = agent.metric("tunnelvision_spool_dropped_records_total");
        double corrupt = agent.metric("tunnelvision_spool_corrupt_records_total");
        double refused = agent.metric("tunnelvision_spool_append_failures_total");
        double failedBatches = agent.metric("tunnelvision_send_failures_total");
        // stopped cleanly: what was still pending stays in the spool for the next start, which this test skips
        agent.terminate();
        double lastSequenceSent = -1;

        // And every round is on every sample topic
        List<String> report = new ArrayList<>();
        long lost = 0;
        long duplicated = 0;
        AgentProcess.sampleTopics(topics); // every sample topic is one of the two kinds below
        for (Topic<String, ? extends SpecificRecord> topic : AgentProcess.everyRoundTopics(topics)) {
            List<SampleHeader> headers = AgentProcess.headers(kafka.bootstrapServers(), topic);
            TreeMap<Long, Integer> perRound = new TreeMap<>();
            headers.forEach(h -> perRound.merge(h.getSequence(), 1, Integer::sum));
            TreeSet<Long> missing = new TreeSet<>();
            for (long seq = perRound.firstKey(); seq <= perRound.lastKey(); seq++) {
                if (!perRound.containsKey(seq)) {
                    missing.add(seq);
                }
            }
            int perRoundCopies = perRound.firstEntry().getValue();
            long extra = perRound.values().stream().filter(c -> c > perRoundCopies).count();
            lost += missing.size();
            duplicated += extra;
            lastSequenceSent = Math.max(lastSequenceSent, perRound.lastKey());
            report.add(topic.name() + ": rounds " + perRound.firstKey() + ".." + perRound.lastKey() + ", missing "
                    + missing + ", rounds with resent records " + extra);
        }
        // A slower topic has a sample every so many rounds: a gap wider than that is a lost sample
        for (Map.Entry<Topic<String, ? extends SpecificRecord>, Integer> slower
                : AgentProcess.slowerTopics(topics).entrySet()) {
            Topic<String, ? extends SpecificRecord> topic = slower.getKey();
            int every = slower.getValue();
            List<SampleHeader> headers = AgentProcess.headers(kafka.bootstrapServers(), topic);
            TreeMap<Long, Integer> perRound = new TreeMap<>();
            headers.forEach(h -> perRound.merge(h.getSequence(), 1, Integer::sum));
            if (perRound.isEmpty()) {
                report.add(topic.name() + ": no collector writes it");
                continue;
            }
            List<String> gaps = new ArrayList<>();
            Long previous = null;
            for (long seq : perRound.keySet()) {
                if (previous != null && seq - previous > every) {
                    gaps.add(previous + ".." + seq);
                    lost += (seq - previous - 1) / every;
                }
                previous = seq;
            }
            // and up to the last round sent (stopped in the middle of a round, its slower sample may be missing)
            if (lastSequenceSent - perRound.lastKey() > every) {
                gaps.add(perRound.lastKey() + "..end " + (long) lastSequenceSent);
                lost += (long) (lastSequenceSent - perRound.lastKey() - 1) / every;
            }
            int perRoundCopies = perRound.firstEntry().getValue();
            long extra = perRound.values().stream().filter(c -> c > perRoundCopies).count();
            duplicated += extra;
            report.add(topic.name() + ": " + perRound.size() + " samples in rounds " + perRound.firstKey() + ".."
                    + perRound.lastKey() + " (every " + every + "), gaps " + gaps + ", rounds with resent records "
                    + extra);
        }
        String summary = String.format("agent outage %ds: %.0f samples spooled during it, %.0f pending at its end,"
                        + " spool max %.0f bytes (bound %d), drained in %.1f s, failed batches %.0f, lost %d, rounds"
                        + " with duplicates %d, dropped %.0f, corrupt %.0f, refused %.0f; %s", outage.toSeconds(),
                publishedDuring, pendingAtEnd, maxBytes, SPOOL_MAX_BYTES, drainSeconds, failedBatches, lost,
                duplicated, dropped, corrupt, refused, report);
        System.out.println(summary);
        assertEquals(0, lost, summary);
        assertTrue(lastSequenceSent >= outage.toSeconds(), "the rounds of the outage are there: " + summary);
        assertTrue(pendingAtEnd >= 0.9 * publishedDuring, "the outage was real: " + summary);
        assertTrue(maxBytes <= SPOOL_MAX_BYTES, summary);
        assertEquals(0, dropped, summary);
        assertEquals(0, corrupt, summary);
        assertEquals(0, refused, summary);
    }
}

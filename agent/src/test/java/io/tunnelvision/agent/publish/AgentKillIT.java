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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real agent process while its spool holds everything it collected (the broker away): once it is
 * started again with the broker back, every sample the spool had taken before the kill is on its topic. The fsync
 * policy bounds what an OS crash loses; a killed process loses nothing it appended, because its writes are in the
 * kernel's page cache, and this test holds it to that (0 lost) under the default policy.
 */
class AgentKillIT {

    /** The first run's sequences are below the first lease's bound; the second run starts above it. */
    private static final long FIRST_LEASE = 600;

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
    void aKilledAgentLosesNoSampleItsSpoolTook() throws Exception {
        kafka = new EmbeddedKafka().start();
        Topics topics = Topics.inNamespace("kill-it");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            new TopicCreator(admin).ensure(topics.all());
        }
        kafka.stop();

        // Given an agent that spooled for a while, the broker away
        agent = AgentProcess.start(dir, "agent-1", kafka.bootstrapServers(), "kill-it",
                Map.of("TUNNELVISION_AGENT_SAMPLE_INTERVAL", "200ms"));
        agent.awaitMetricAtLeast("tunnelvision_samples_published_total", 100, Duration.ofSeconds(60));
        // When it is killed right after saying how many samples its spool took
        double taken = agent.metric("tunnelvision_samples_published_total");
        agent.kill();

        // And started again with the broker back
        kafka.start();
        agent = AgentProcess.start(dir, "agent-2", kafka.bootstrapServers(), "kill-it", Map.of());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (agent.metric("tunnelvision_spool_pending_records") > 10
                || agent.metric("tunnelvision_samples_sent_total") < taken) {
            assertTrue(System.nanoTime() < deadline, "the spool did not drain");
            Thread.sleep(500);
        }
        double corrupt = agent.metric("tunnelvision_spool_corrupt_records_total");
        agent.terminate();

        // Then every sample of the first run taken before the kill is on its topic
        long firstRun = 0;
        long duplicates = 0;
        for (Topic<String, ? extends SpecificRecord> topic : AgentProcess.sampleTopics(topics)) {
            Set<Long> seen = new HashSet<>();
            for (SampleHeader h : AgentProcess.headers(kafka.bootstrapServers(), topic)) {
                if (h.getSequence() < FIRST_LEASE) {
                    if (seen.add(h.getSequence())) {
                        firstRun++; // distinct samples only: a resent copy must not hide a lost one
                    } else {
                        duplicates++;
                    }
                }
            }
        }
        String summary = String.format("agent kill -9: %.0f samples taken by the spool before the kill, %d of the"
                + " first run on the topics, %d copies of them, corrupt %.0f", taken, firstRun, duplicates, corrupt);
        System.out.println(summary);
        assertTrue(firstRun >= taken, "lost " + (taken - firstRun) + ": " + summary);
        // the broker was away for the whole first run: nothing was sent before the kill, so nothing can come twice
        assertEquals(0, duplicates, summary);
        assertEquals(0, corrupt, summary);
    }
}

package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.embedded.fixture.SharedKafka;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender gathers samples for its publish interval, and a record of a topic the spool was told to watch (as
 * {@code run} watches command results) ends the wait, so that it and what waited with it go at once.
 */
class SpoolSenderIntervalIT {

    private static final String HOST = "gw-interval";

    @TempDir
    Path spoolDir;

    @Test
    void samplesWaitForTheIntervalAndAWatchedTopicSendsAtOnce() throws Exception {
        String bootstrap = SharedKafka.get().bootstrapServers();
        Topics topics = Topics.inNamespace("interval-it");
        Topic<String, SoftnetSample> samples = topics.softnetSamples;
        Topic<String, SoftnetSample> urgent = Topics.inNamespace("interval-it-urgent").softnetSamples;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCreator(admin).ensure(List.of(samples, urgent));
        }
        try (DiskSpool spool = DiskSpool.open(spoolDir, 64L * 1024 * 1024);
             SpoolSender sender = new SpoolSender(spool, () -> new KafkaProducer<>(
                     ProducerSettings.forBootstrap(bootstrap, HOST),
                     new ByteArraySerializer(), new ByteArraySerializer()), Duration.ofMinutes(1))) {
            spool.onAppend(urgent.name(), sender::wake);
            SamplePublisher publisher = new SamplePublisher(spool);
            // What the spool holds at start goes at once; then the sender waits out its one-minute interval
            publisher.publish(samples, HOST, sample(1));
            sender.start();
            awaitSent(sender, 1);

            // Given samples spooled while the sender waits
            publisher.publish(samples, HOST, sample(2));
            publisher.publish(samples, HOST, sample(3));
            Thread.sleep(1_500);
            assertEquals(1, sender.sentRecords(), "samples wait for the interval");

            // When a record of the watched topic is spooled
            publisher.publish(urgent, HOST, sample(4));

            // Then all three go in the next batch, long before the minute is over
            awaitSent(sender, 4);
            assertEquals(4, sender.sentRecords());
            assertEquals(0, spool.pendingRecords());
        }
    }

    private static void awaitSent(SpoolSender sender, long records) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sender.sentRecords() < records && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(records, sender.sentRecords());
    }

    private static SoftnetSample sample(long seq) {
        return new SoftnetSample(new SampleHeader(HOST, "boot-1", seq, 1_790_000_000_000L + seq, "test"),
                List.of(new SoftnetCpu(0, 0, seq, 0L, 0L, 0L, 0L, 0L)));
    }
}

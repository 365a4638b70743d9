package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool segment that cannot be read costs its own records, counted, and nothing after it: the sender neither
 * dies nor retries it forever.
 */
class SpoolSenderTest {

    @TempDir
    Path dir;

    @Test
    void aSegmentThatVanishedIsCountedAndSendingGoesOnWithTheNextRecords() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            spool.append(DiskSpoolTest.record(0));
            // Given the segment file vanishes under the spool (a disk failure, an operator's rm)
            for (Path segment : segments()) {
                Files.delete(segment);
            }
            try (SpoolSender sender = new SpoolSender(spool, () -> producer).start()) {
                // When a later record is appended
                awaitUntil(() -> spool.unreadableRecords() == 1);
                spool.append(DiskSpoolTest.record(1));
                sender.wake();
                awaitUntil(() -> sender.sentRecords() == 1);

                // Then the lost record is counted, the later one delivered, and no batch was retried
                assertEquals(1, spool.unreadableRecords());
                assertEquals(0, sender.failedBatches());
                assertEquals(List.of("1"), values(producer));
                assertEquals(0, spool.pendingRecords());
            }
        }
    }

    @Test
    void aSegmentThatKeepsFailingToReadIsGivenUpAfterThreeAttempts() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            spool.append(DiskSpoolTest.record(0));
            spool.append(DiskSpoolTest.record(1));
            // Given the segment's name now leads to something that fails every read (EISDIR)
            for (Path segment : segments()) {
                Files.delete(segment);
                Files.createDirectory(segment);
            }
            try (SpoolSender sender = new SpoolSender(spool, () -> producer).start()) {
                awaitUntil(() -> spool.unreadableRecords() == 2);
                spool.append(DiskSpoolTest.record(2));
                sender.wake();
                awaitUntil(() -> sender.sentRecords() == 1);

                assertEquals(2, sender.failedBatches(), "two failed reads, then the segment is given up");
                assertEquals(List.of("2"), values(producer));
                Thread.sleep(300);
                assertEquals(2, sender.failedBatches(), "and no more retries");
            }
        }
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".spool")).toList();
        }
    }

    private static List<String> values(MockProducer<byte[], byte[]> producer) {
        return producer.history().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(10);
        }
    }
}

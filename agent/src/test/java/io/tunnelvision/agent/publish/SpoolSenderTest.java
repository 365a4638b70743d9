package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolSenderTest {

    @TempDir
    Path dir;

    @Test
    void aSpoolThatCannotBeReadIsRetriedInsteadOfEndingTheSender() throws Exception {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            spool.append(DiskSpoolTest.record(0));
            // the segment file vanishes under the spool (a disk failure, an operator's rm)
            try (Stream<Path> files = Files.list(dir)) {
                for (Path segment : files.filter(p -> p.toString().endsWith(".seg")).toList()) {
                    Files.delete(segment);
                }
            }
            try (SpoolSender sender = new SpoolSender(spool, () -> new MockProducer<>(true, null,
                    new ByteArraySerializer(), new ByteArraySerializer())).start()) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (sender.failedBatches() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(sender.failedBatches() >= 3,
                        "the sender goes on retrying after a failed read, was " + sender.failedBatches());
            }
        }
    }
}

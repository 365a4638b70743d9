package io.tunnelvision.agent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.publish.DiskSpool;
import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.topic.Topics;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLoopTest {

    @TempDir
    Path dir;

    @Test
    void aRoundSpoolsOneSampleOfEverySourceWithOneSharedSequence() throws Exception {
        Path tree = Path.of(getClass().getClassLoader().getResource("fixtures/live-host").toURI());
        Topics topics = Topics.inNamespace("test");
        try (DiskSpool spool = DiskSpool.open(dir.resolve("spool"), 1 << 20)) {
            AgentLoop loop = loop(tree, topics, spool, new SequenceStore(dir));

            assertEquals(9, loop.tick());
            assertEquals(9, loop.tick());

            List<DiskSpool.Entry> entries = spool.peek(100);
            assertEquals(18, entries.size());
            Set<String> topicNames = new HashSet<>();
            entries.forEach(e -> topicNames.add(e.record().topic()));
            assertEquals(Set.of(topics.interruptSamples.name(), topics.softnetSamples.name(), topics.linkSamples.name(),
                    topics.interfaceConfigSamples.name(), topics.kernelSettingsSamples.name(),
                    topics.wireguardSamples.name(), topics.pmtuSamples.name(),
                    topics.qdiscSamples.name(), topics.nicSamples.name()), topicNames);
            SoftnetSample second = entries.stream().filter(e -> e.record().topic().equals(topics.softnetSamples.name()))
                    .map(e -> topics.softnetSamples.valueSerde().deserializer().deserialize("", e.record().value()))
                    .toList().get(1);
            assertEquals(1L, second.getHeader().getSequence());
            assertEquals("gw-test", second.getHeader().getHostId());
            assertEquals(1_790_000_000_000L, second.getHeader().getSampleTimeMs());
        }
    }

    @Test
    void aCollectorOutOfHeapFailsAloneAndTheOthersStillPublish() {
        io.tunnelvision.schemas.avro.SoftnetSample softnet = new io.tunnelvision.schemas.avro.SoftnetSample(
                new io.tunnelvision.schemas.avro.SampleHeader("gw", "b", 0L, 0L, "t"), List.of());
        CollectorRegistry registry = CollectorRegistry.of(List.of(
                CollectorRegistry.register("interrupts", io.tunnelvision.schemas.avro.InterruptSample.class, h -> {
                    throw new OutOfMemoryError("Java heap space");
                }),
                CollectorRegistry.register("softnet", SoftnetSample.class, h -> softnet)));

        CollectionRound.Result result = new CollectionRound(registry).collect(softnet.getHeader());

        assertEquals(List.of(softnet), result.samples());
        assertTrue(result.failures().get("interrupts").contains("-Xmx"), result.failures().toString());
        assertEquals(1, registry.collectors().get(0).stats().failures());
    }

    @Test
    void anErrorThatEscapesARoundEndsTheAgentInsteadOfLeavingItCollectingNothing() throws Exception {
        CollectorRegistry registry = CollectorRegistry.of(List.of(
                CollectorRegistry.register("softnet", SoftnetSample.class, h -> {
                    throw new StackOverflowError();
                })));
        java.util.concurrent.CompletableFuture<Error> fatal = new java.util.concurrent.CompletableFuture<>();
        try (DiskSpool spool = DiskSpool.open(dir.resolve("spool"), 1 << 20);
             AgentLoop loop = new AgentLoop(new HostIdentity("gw-test", "boot-1", "test"),
                     new CollectionRound(registry), new SampleRouting(Topics.inNamespace("t"),
                     new SamplePublisher(spool)), new SequenceStore(dir), Clock.systemUTC(), fatal::complete)) {
            loop.start(java.time.Duration.ofMillis(50));
            assertTrue(fatal.get(10, java.util.concurrent.TimeUnit.SECONDS) instanceof StackOverflowError);
        }
    }

    @Test
    void theSequenceKeepsRisingAcrossRestarts() {
        SequenceStore first = new SequenceStore(dir);
        assertEquals(0, first.take());
        assertEquals(1, first.take());
        SequenceStore afterRestart = new SequenceStore(dir);
        assertTrue(afterRestart.take() >= 2);
    }

    @Test
    void theSequenceFileIsWrittenOncePerLeaseAndARestartNeverReusesANumber() throws Exception {
        SequenceStore store = new SequenceStore(dir);
        java.nio.file.Path file = dir.resolve("sequence");
        long last = -1;
        for (int i = 0; i < SequenceStore.LEASE; i++) {
            last = store.take();
            assertEquals(String.valueOf(SequenceStore.LEASE), java.nio.file.Files.readString(file));
        }
        assertEquals(SequenceStore.LEASE - 1, last);
        assertEquals(SequenceStore.LEASE, store.take());
        assertEquals(String.valueOf(2 * SequenceStore.LEASE), java.nio.file.Files.readString(file));

        // a crash now: the next process starts above every number handed out
        assertEquals(2 * SequenceStore.LEASE, new SequenceStore(dir).take());
    }

    private static AgentLoop loop(Path tree, Topics topics, DiskSpool spool, SequenceStore sequences)
            throws URISyntaxException {
        CollectorRegistry registry = CollectorRegistry.standard(tree.resolve("proc"), tree.resolve("sys"));
        return new AgentLoop(new HostIdentity("gw-test", "boot-1", "test"), new CollectionRound(registry),
                new SampleRouting(topics, new SamplePublisher(spool)), sequences,
                Clock.fixed(Instant.ofEpochMilli(1_790_000_000_000L), ZoneOffset.UTC));
    }
}

package io.tunnelvision.api.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.DeadLetterHeaders;
import io.tunnelvision.schemas.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every topic the api stores and writes each poll's records in one database transaction, then commits the
 * offsets: a record is acknowledged only once it is in PostgreSQL (or in the dead-letter topic).
 *
 * <p>When PostgreSQL cannot be reached the consumer pauses its partitions, keeps polling (so it stays in the
 * group) and retries the same batch with exponential backoff until it goes in; then it resumes. Records that cannot
 * be decoded or stored are counted and sent, as they arrived, to the dead-letter topic with headers saying where
 * they came from and why, and the rest of the batch goes on.
 */
public final class IngestConsumer implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestConsumer.class);
    private static final Duration POLL = Duration.ofMillis(500);
    public static final String HEADER_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    public static final String HEADER_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    public static final String HEADER_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;
    public static final String HEADER_ERROR = DeadLetterHeaders.ERROR;

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetterProducer;
    private final IngestWriter writer;
    private final Backoff backoff;
    private final Topics topics;
    private final Map<String, Route> routes = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<TopicPartition> revoked = new HashSet<>();
    private volatile boolean retrying;
    private final Counter written;
    private final Counter poison;
    private final Counter retries;
    private final Counter expired;
    private final Counter refusedFuture;
    private final Counter metricRows;
    private final Counter eventRows;
    /** Records behind the end of each topic's partitions assigned here, as of the last poll. */
    private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();
    private final Timer batchTimer;
    private final AtomicInteger pending = new AtomicInteger();

    private record Route(Source source, Deserializer<? extends SpecificRecord> deserializer) {
    }

    public IngestConsumer(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> deadLetterProducer,
                          Topics topics, IngestWriter writer, Backoff backoff, MeterRegistry metrics) {
        this.consumer = consumer;
        this.deadLetterProducer = deadLetterProducer;
        this.writer = writer;
        this.backoff = backoff;
        this.topics = topics;
        route(topics.interruptRates, Source.INTERRUPT_RATES);
        route(topics.softnetRates, Source.SOFTNET_RATES);
        route(topics.linkRates, Source.LINK_RATES);
        route(topics.kernelRates, Source.KERNEL_RATES);
        route(topics.interfaceConfigSamples, Source.INTERFACE_CONFIG);
        route(topics.kernelSettingsSamples, Source.KERNEL_SETTINGS);
        route(topics.latencySamples, Source.LATENCY);
        route(topics.wireguardSamples, Source.WIREGUARD);
        route(topics.pmtuSamples, Source.PMTU);
        route(topics.qdiscSamples, Source.QDISC);
        route(topics.nicSamples, Source.NIC);
        route(topics.hotspots, Source.HOTSPOTS);
        route(topics.commands, Source.COMMANDS);
        route(topics.commandProposals, Source.COMMAND_PROPOSALS);
        route(topics.commandDecisions, Source.COMMAND_DECISIONS);
        route(topics.commandResults, Source.COMMAND_RESULTS);
        route(topics.commandOutcomes, Source.COMMAND_OUTCOMES);
        this.written = Counter.builder("tunnelvision.ingest.records").tag("result", "written")
                .description("Records stored in PostgreSQL").register(metrics);
        this.poison = Counter.builder("tunnelvision.ingest.records").tag("result", "dead-lettered")
                .description("Records sent to the dead-letter topic").register(metrics);
        this.expired = Counter.builder("tunnelvision.ingest.records").tag("result", "expired")
                .description("Records older than their tier's retention, skipped").register(metrics);
        this.retries = Counter.builder("tunnelvision.ingest.retries")
                .description("Batches retried because the database could not take them").register(metrics);
        this.refusedFuture = Counter.builder("tunnelvision.ingest.refused").tag("reason", "future")
                .description("Records refused (and dead-lettered) because they are stamped further ahead of the api's"
                        + " clock than TUNNELVISION_API_MAX_FUTURE").register(metrics);
        Gauge.builder("tunnelvision.ingest.pending", pending, AtomicInteger::get)
                .description("Records read from Kafka and not yet stored and committed: at most two polls, since"
                        + " consumption pauses while the database cannot take them").register(metrics);
        Gauge.builder("tunnelvision.ingest.paused", this, c -> c.retrying ? 1 : 0)
                .description("1 while consumption is paused because the database cannot take records")
                .register(metrics);
        this.metricRows = Counter.builder("tunnelvision.ingest.rows").tag("kind", "metric")
                .description("Rows written to the metric tables (raw tier)").register(metrics);
        this.eventRows = Counter.builder("tunnelvision.ingest.rows").tag("kind", "event")
                .description("Rows written or updated in the event tables (hotspots, commands, results, verdicts,"
                        + " settings)").register(metrics);
        for (String topic : routes.keySet()) {
            AtomicLong behind = new AtomicLong();
            lag.put(topic, behind);
            Gauge.builder("tunnelvision.ingest.consumer.lag", behind, AtomicLong::get).tag("topic", topic)
                    .description("Records this instance's ingest consumer is behind on the topic's partitions it is"
                            + " assigned, as of its last poll (a rebalance moves them between instances)")
                    .register(metrics);
        }
        this.batchTimer = Timer.builder("tunnelvision.ingest.batch").description("Time to store one poll's records")
                .register(metrics);
    }

    private void route(Topic<String, ? extends SpecificRecord> topic, Source source) {
        routes.put(topic.name(), new Route(source, topic.valueSerde().deserializer()));
    }

    /** The topics this consumer reads. */
    public List<String> topicNames() {
        return List.copyOf(routes.keySet());
    }

    @Override
    public void run() {
        consumer.subscribe(topicNames(), new Rebalance());
        ExecutorService db = Executors.newSingleThreadExecutor(r -> new Thread(r, "ingest-db-writer"));
        Batch inFlight = null;
        try {
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                measureLag();
                // Decoding the next poll overlaps with the database writing the previous one; offsets are still
                // committed strictly after their own transaction.
                Batch next = records.isEmpty() ? null : decode(records);
                if (inFlight != null) {
                    complete(inFlight);
                }
                inFlight = next == null ? null : next.submit(db);
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            db.shutdownNow();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** One poll's records, decoded, with the write of its items possibly under way. */
    private final class Batch {
        final ConsumerRecords<byte[], byte[]> records;
        final List<ConsumerRecord<byte[], byte[]>> decodedFrom = new ArrayList<>();
        final List<Item> items = new ArrayList<>();
        final List<Poison> poisoned = new ArrayList<>();
        final Timer.Sample timing = Timer.start();
        Future<IngestWriter.Stats> write;

        Batch(ConsumerRecords<byte[], byte[]> records) {
            this.records = records;
        }

        Batch submit(ExecutorService db) {
            if (!items.isEmpty()) {
                write = db.submit(() -> writer.write(items));
            }
            return this;
        }
    }

    private Batch decode(ConsumerRecords<byte[], byte[]> records) {
        Batch batch = new Batch(records);
        pending.addAndGet(records.count());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                batch.items.add(decode(record));
                batch.decodedFrom.add(record);
            } catch (RuntimeException e) {
                batch.poisoned.add(new Poison(record, e));
            }
        }
        return batch;
    }

    /** Stores one poll's records (decoded on the consumer thread), retrying through outages, then commits. */
    void process(ConsumerRecords<byte[], byte[]> records) {
        complete(decode(records));
    }

    /**
     * Waits for the batch's write; if it failed (or was never started), writes it here with the retry and split
     * logic, which needs the consumer thread because it pauses and polls. Then dead-letters and commits.
     */
    private void complete(Batch batch) {
        boolean stored = false;
        if (batch.write != null) {
            try {
                IngestWriter.Stats stats = batch.write.get();
                counted(batch.items.size(), stats);
                backoff.reset();
                stored = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
                return;
            } catch (ExecutionException e) {
                LOG.debug("Background write failed, retrying on the consumer thread", e.getCause());
            }
        } else if (batch.items.isEmpty()) {
            stored = true;
        }
        if (!stored) {
            writeWithRetry(batch.decodedFrom, batch.items, batch.poisoned);
        }
        if (!running.get()) {
            return; // stopped during an outage: nothing was stored, nothing is committed
        }
        deadLetter(batch.poisoned);
        commit(batch.records);
        pending.addAndGet(-batch.records.count());
        batch.timing.stop(batchTimer);
    }

    /** From the fetch positions the consumer already has: no request to the broker. */
    private void measureLag() {
        Map<String, Long> behind = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(partition);
            if (partitionLag.isPresent()) {
                behind.merge(partition.topic(), partitionLag.getAsLong(), Long::sum);
            }
        }
        lag.forEach((topic, gauge) -> gauge.set(behind.getOrDefault(topic, 0L)));
    }

    private void counted(int items, IngestWriter.Stats stats) {
        metricRows.increment(stats.metricRows());
        eventRows.increment(stats.eventRows());
        written.increment(items - stats.expired() - stats.future());
        expired.increment(stats.expired());
        refusedFuture.increment(stats.future());
    }

    private Item decode(ConsumerRecord<byte[], byte[]> record) {
        Route route = routes.get(record.topic());
        if (record.value() == null) {
            throw new InvalidRecordException("empty value (tombstone) on a topic that has none");
        }
        SpecificRecord value = route.deserializer().deserialize(record.topic(), record.value());
        Item item = new Item(route.source(), value);
        RecordRows.validate(item);
        try {
            writer.checkTime(item);
        } catch (InvalidRecordException e) {
            refusedFuture.increment();
            throw e;
        }
        return item;
    }

    private void writeWithRetry(List<ConsumerRecord<byte[], byte[]>> from, List<Item> items, List<Poison> poisoned) {
        if (items.isEmpty()) {
            return;
        }
        while (running.get()) {
            try {
                IngestWriter.Stats stats = writer.write(items);
                counted(items.size(), stats);
                if (retrying) {
                    LOG.info("Database is back after {} attempt(s): resuming", backoff.attempts());
                    consumer.resume(consumer.assignment());
                    retrying = false;
                }
                backoff.reset();
                return;
            } catch (RuntimeException e) {
                if (SqlErrors.isPermanent(e)) {
                    LOG.warn("The database refused a batch of {} records ({}); storing them one by one",
                            items.size(), e.getMessage());
                    writeOneByOne(from, items, poisoned);
                    return;
                }
                waitForDatabase(e);
                dropRevoked(from, items);
            }
        }
    }

    /** Splits a refused batch: every record the database takes is stored, the others are dead-lettered. */
    private void writeOneByOne(List<ConsumerRecord<byte[], byte[]>> from, List<Item> items, List<Poison> poisoned) {
        for (int i = 0; i < items.size(); i++) {
            List<ConsumerRecord<byte[], byte[]>> one = new ArrayList<>(List.of(from.get(i)));
            List<Item> item = new ArrayList<>(List.of(items.get(i)));
            while (running.get()) {
                try {
                    counted(1, writer.write(item));
                    break;
                } catch (RuntimeException e) {
                    if (SqlErrors.isPermanent(e)) {
                        poisoned.add(new Poison(from.get(i), e));
                        break;
                    }
                    waitForDatabase(e);
                    dropRevoked(one, item);
                    if (item.isEmpty()) {
                        break;
                    }
                }
            }
        }
    }

    private void waitForDatabase(RuntimeException error) {
        retries.increment();
        Duration wait = backoff.next();
        if (!retrying) {
            LOG.warn("Cannot store records ({}); pausing consumption and retrying", rootMessage(error));
            consumer.pause(consumer.assignment());
            retrying = true;
        } else {
            LOG.info("Still cannot store records ({}); next attempt in {} ms", rootMessage(error), wait.toMillis());
        }
        long until = System.nanoTime() + wait.toNanos();
        // Polling the paused consumer returns nothing but keeps this member alive in the group.
        while (running.get() && System.nanoTime() < until) {
            long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
            consumer.poll(Duration.ofMillis(Math.max(1, Math.min(left, POLL.toMillis()))));
            measureLag();
        }
    }

    /** Records of partitions this member lost during the outage are someone else's now. */
    private void dropRevoked(List<ConsumerRecord<byte[], byte[]>> from, List<Item> items) {
        if (revoked.isEmpty()) {
            return;
        }
        for (int i = from.size() - 1; i >= 0; i--) {
            if (revoked.contains(new TopicPartition(from.get(i).topic(), from.get(i).partition()))) {
                from.remove(i);
                items.remove(i);
            }
        }
    }

    private record Poison(ConsumerRecord<byte[], byte[]> record, Exception error) {
    }

    private void deadLetter(List<Poison> poisoned) {
        if (poisoned.isEmpty()) {
            return;
        }
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (Poison p : poisoned) {
            ConsumerRecord<byte[], byte[]> r = p.record();
            RecordHeaders headers = new RecordHeaders(r.headers().toArray());
            headers.add(HEADER_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_PARTITION, Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_OFFSET, Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_ERROR, (p.error().getClass().getSimpleName() + ": " + rootMessage(p.error()))
                    .getBytes(StandardCharsets.UTF_8));
            LOG.warn("Dead-lettering {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), rootMessage(p.error()));
            sent.add(deadLetterProducer.send(new ProducerRecord<>(topics.deadLetters.name(), null, r.key(), r.value(),
                    headers)));
        }
        // The offsets of poison records are committed next, so they must be safely in the dead-letter topic first.
        for (java.util.concurrent.Future<?> future : sent) {
            try {
                future.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while dead-lettering", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new KafkaException("could not dead-letter a poison record; not committing its offset", e);
            }
        }
        poison.increment(poisoned.size());
    }

    private void commit(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        Set<TopicPartition> owned = consumer.assignment();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(partition);
            if (owned.contains(partition) && !revoked.contains(partition)) {
                offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (KafkaException e) {
            // The records are stored; whoever owns the partitions now reads them again and the upserts skip them.
            LOG.warn("Could not commit offsets after storing the batch ({}); they will be read again", e.getMessage());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            revoked.removeAll(partitions);
            if (retrying) {
                consumer.pause(partitions);
            }
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Stops the loop; a batch being retried is abandoned uncommitted and read again on the next start. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}

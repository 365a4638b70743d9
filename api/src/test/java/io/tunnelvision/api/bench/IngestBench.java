package io.tunnelvision.api.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelvision.api.KafkaClients;
import io.tunnelvision.api.db.Database;
import io.tunnelvision.api.db.MetricFamily;
import io.tunnelvision.api.db.PartitionMaintenance;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.RowBatch;
import io.tunnelvision.api.db.RowSink;
import io.tunnelvision.api.db.Tier;
import io.tunnelvision.api.ingest.Backoff;
import io.tunnelvision.api.ingest.IngestConsumer;
import io.tunnelvision.api.ingest.IngestWriter;
import io.tunnelvision.api.ingest.Item;
import io.tunnelvision.api.ingest.RecordRows;
import io.tunnelvision.embedded.EmbeddedKafka;
import io.tunnelvision.embedded.EmbeddedPostgresServer;
import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.LinkRates;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.TopicCreator;
import io.tunnelvision.schemas.topic.Topics;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;

/**
 * Ingest throughput, all in one run on the same machine, server and rows:
 * <ol>
 *   <li>the consumer path: records already in Kafka, read by {@link IngestConsumer} (decode, validate, host upsert,
 *       COPY into staging, INSERT ... ON CONFLICT, commit, offset commit) until every row is in;</li>
 *   <li>the writer alone with its COPY sink and with its multi-row INSERT sink (no Kafka);</li>
 *   <li>plain COPY of the same rows straight into the same (empty) tables: the ceiling.</li>
 * </ol>
 * Not a test; {@code java -cp ... io.tunnelvision.api.bench.IngestBench [gateways] [seconds]}.
 */
public final class IngestBench {

    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Instant start = Instant.now().minus(Duration.ofMinutes(30));
        List<Item> items = new ArrayList<>();
        FleetGenerator generator = new FleetGenerator(7);
        for (int s = 1; s <= seconds; s++) {
            for (int g = 0; g < gateways; g++) {
                items.addAll(generator.second(String.format("gw-%03d", g), start.plusSeconds(s), s));
            }
        }
        try (EmbeddedPostgresServer pg = new EmbeddedPostgresServer().start();
             EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            String url = pg.jdbcUrl("postgres");
            long rows = expectedRows(items);
            System.out.printf("%d records, %d rows (%d gateways x %d s)%n", items.size(), rows, gateways, seconds);

            double consumer = consumerPath(kafka.bootstrapServers(), database(pg, url, "consumer"), items, rows);
            double writerCopy = writerPath(database(pg, url, "writer_copy"), items, RowSink.copy());
            double writerInsert = writerPath(database(pg, url, "writer_insert"), items, RowSink.multiRowInsert());
            double copy = plainCopy(database(pg, url, "plain_copy"), items);
            System.out.printf("consumer path (Kafka -> multi-row INSERT):       %,10.0f rows/s  (%.2fx COPY)%n",
                    consumer, consumer / copy);
            System.out.printf("writer, COPY staging + ON CONFLICT:              %,10.0f rows/s  (%.2fx COPY)%n",
                    writerCopy, writerCopy / copy);
            System.out.printf("writer, multi-row INSERT ON CONFLICT:            %,10.0f rows/s  (%.2fx COPY)%n",
                    writerInsert, writerInsert / copy);
            System.out.printf("plain COPY into the same tables:                 %,10.0f rows/s%n", copy);
        }
    }

    private static Database database(EmbeddedPostgresServer pg, String url, String schema) {
        Database database = Database.pooled(url + "?currentSchema=" + schema, pg.user(), pg.password(), 4);
        database.migrate();
        return database;
    }

    private static long expectedRows(List<Item> items) {
        long rows = 0;
        for (Item item : items) {
            rows += item.value() instanceof LinkRates l ? l.getInterfaces().size() : 1;
        }
        return rows;
    }

    private static double consumerPath(String bootstrap, Database database, List<Item> items, long rows)
            throws Exception {
        Topics topics = Topics.inNamespace("bench");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 20,
                     ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            new TopicCreator(admin).ensure(topics.all());
            waitForLeaders(admin, topics);
            for (Item item : items) {
                Object v = item.value();
                if (v instanceof LinkRates r) {
                    send(producer, topics.linkRates, r.getHeader().getHostId(), r);
                } else if (v instanceof SoftnetRates r) {
                    send(producer, topics.softnetRates, r.getHeader().getHostId(), r);
                } else if (v instanceof InterruptRates r) {
                    send(producer, topics.interruptRates, r.getHeader().getHostId(), r);
                } else if (v instanceof KernelRates r) {
                    send(producer, topics.kernelRates, r.getHeader().getHostId(), r);
                }
            }
            producer.flush();
            for (java.util.concurrent.Future<?> future : SENT) {
                future.get(); // a record that did not make it would leave the consumer waiting forever
            }
        }
        KafkaClients clients = new KafkaClients(bootstrap);
        IngestConsumer consumer = new IngestConsumer(clients.ingestConsumer("bench"), clients.deadLetterProducer(),
                topics, new IngestWriter(database.jdbi(), partitions(database), SINK),
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)), new SimpleMeterRegistry());
        long launched = System.nanoTime();
        Thread thread = new Thread(consumer, "bench-ingest");
        thread.start();
        // The clock starts at the first stored row: joining the group (a few seconds of rebalance delay) is a
        // one-off cost of starting, not of ingesting. Rows stored before that are not counted.
        long first;
        while ((first = storedRows(database)) == 0) {
            Thread.sleep(5);
        }
        long begin = System.nanoTime();
        System.out.printf("consumer: first rows stored %.1f s after start%n", (begin - launched) / 1e9);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (storedRows(database) < rows) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + storedRows(database) + " of " + rows + " rows after 10 min");
            }
            Thread.sleep(20);
        }
        double elapsed = (System.nanoTime() - begin) / 1e9;
        consumer.close();
        thread.join();
        return (rows - first) / elapsed;
    }

    private static final List<java.util.concurrent.Future<?>> SENT = new ArrayList<>();
    /** The sink ApiMain uses. */
    private static final RowSink SINK = RowSink.multiRowInsert();

    /** A freshly created topic takes a moment to have leaders; producing before that fails on the embedded broker. */
    private static void waitForLeaders(Admin admin, Topics topics) throws Exception {
        List<String> names = topics.all().stream().map(Topic::name).toList();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            boolean ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            if (ready) {
                Thread.sleep(2_000);
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("topics have no leaders after 60 s");
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, Topic<String, V> topic, String key, V value) {
        SENT.add(producer.send(new ProducerRecord<>(topic.name(), key.getBytes(StandardCharsets.UTF_8),
                topic.valueSerde().serializer().serialize(topic.name(), value))));
    }

    private static double writerPath(Database database, List<Item> items, RowSink sink) {
        IngestWriter writer = new IngestWriter(database.jdbi(), partitions(database), sink);
        writer.write(items.subList(0, 4)); // partitions and host keys exist before the clock starts, as in production
        long begin = System.nanoTime();
        for (int i = 0; i < items.size(); i += 2000) {
            writer.write(items.subList(i, Math.min(items.size(), i + 2000)));
        }
        return storedRows(database) / ((System.nanoTime() - begin) / 1e9);
    }

    private static double plainCopy(Database database, List<Item> items) throws Exception {
        new IngestWriter(database.jdbi(), partitions(database), RowSink.copy()).write(items.subList(0, 4));
        database.jdbi().useHandle(h -> h.execute("TRUNCATE link_rates, softnet_rates, interrupt_rates, kernel_rates"));
        // host keys as the writer assigned them; the rows are the same the consumer path wrote
        Map<String, Integer> keys = new java.util.HashMap<>();
        database.jdbi().useHandle(h -> h.createQuery("SELECT host_id, host_key FROM hosts")
                .map((rs, ctx) -> keys.put(rs.getString(1), rs.getInt(2))).list());
        for (int g = 0; keys.size() < 10_000 && g < 10_000; g++) {
            String host = String.format("gw-%03d", g);
            if (!keys.containsKey(host)) {
                keys.put(host, 100_000 + g);
            }
        }
        List<RowBatch> batches = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2000) {
            RowBatch link = RowBatch.of(MetricFamily.LINK, Tier.RAW);
            RowBatch softnet = RowBatch.of(MetricFamily.SOFTNET, Tier.RAW);
            RowBatch interrupts = RowBatch.of(MetricFamily.INTERRUPTS, Tier.RAW);
            RowBatch kernel = RowBatch.of(MetricFamily.KERNEL, Tier.RAW);
            for (Item item : items.subList(i, Math.min(items.size(), i + 2000))) {
                Object v = item.value();
                if (v instanceof LinkRates r) {
                    RecordRows.addLinkRows(link, r, keys.get(r.getHeader().getHostId()));
                } else if (v instanceof SoftnetRates r) {
                    RecordRows.addSoftnetRows(softnet, r, keys.get(r.getHeader().getHostId()));
                } else if (v instanceof InterruptRates r) {
                    RecordRows.addInterruptRows(interrupts, r, keys.get(r.getHeader().getHostId()));
                } else if (v instanceof KernelRates r) {
                    RecordRows.addKernelRows(kernel, r, keys.get(r.getHeader().getHostId()));
                }
            }
            batches.addAll(List.of(link, softnet, interrupts, kernel));
        }
        long begin = System.nanoTime();
        database.jdbi().useTransaction(h -> {
            Connection connection = h.getConnection();
            for (RowBatch batch : batches) {
                // encoding is part of COPY's cost here as in the sink: same rows, same text
                connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + batch.table() + " ("
                        + String.join(", ", batch.columns()) + ") FROM STDIN",
                        new StringReader(io.tunnelvision.api.db.PlainCopy.encode(batch)));
            }
        });
        return storedRows(database) / ((System.nanoTime() - begin) / 1e9);
    }

    private static PartitionMaintenance partitions(Database database) {
        return new PartitionMaintenance(database.jdbi(), Retention.DEFAULT, Clock.systemUTC());
    }

    private static long storedRows(Database database) {
        return database.jdbi().withHandle(h -> h.createQuery("""
                SELECT (SELECT count(*) FROM link_rates) + (SELECT count(*) FROM softnet_rates)
                     + (SELECT count(*) FROM interrupt_rates) + (SELECT count(*) FROM kernel_rates)
                """).mapTo(Long.class).one());
    }
}

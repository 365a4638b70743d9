package io.tunnelvision.lab;

import io.tunnelvision.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads committed records of some topics from the start on a thread of its own, decoded with each topic's serde. */
final class TopicWatch implements AutoCloseable {

    private final Map<String, Topic<String, ?>> topics = new HashMap<>();
    private final Map<String, List<Object>> values = new HashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    TopicWatch(String bootstrap, List<Topic<String, ?>> watched) {
        for (Topic<String, ?> topic : watched) {
            topics.put(topic.name(), topic);
            values.put(topic.name(), new ArrayList<>());
        }
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "lab-watch-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.copyOf(topics.keySet()));
        thread = new Thread(this::poll, "lab-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        while (running) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                Topic<String, ?> topic = topics.get(r.topic());
                Object value = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                synchronized (values) {
                    values.get(r.topic()).add(value);
                }
            }
        }
        consumer.close(Duration.ofSeconds(2));
    }

    @SuppressWarnings("unchecked")
    <V> List<V> all(Topic<String, V> topic) {
        synchronized (values) {
            return new ArrayList<>((List<V>) values.get(topic.name()));
        }
    }

    /** The first record of {@code topic} that matches, waiting up to {@code timeout}; fails with {@code what}. */
    <V> V await(Topic<String, V> topic, Predicate<V> match, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (true) {
            for (V v : all(topic)) {
                if (match.test(v)) {
                    return v;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s; " + topic.name()
                        + " has " + all(topic).size() + " records, the last: "
                        + all(topic).subList(Math.max(0, all(topic).size() - 3), all(topic).size()));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

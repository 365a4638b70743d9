package io.tunnelvision.local.bench;

import io.tunnelvision.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * When each host's first command became readable on the control topic, by the wall clock of this process: what
 * an agent would see. The commands' own {@code issuedAt} is stream time (the triggering sample's time), so it
 * leaves out how far the streams app runs behind; this does not.
 */
final class CommandArrivals implements AutoCloseable {

    private final Map<String, Long> firstArrival = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    private CommandArrivals(String bootstrap, Topic<String, ?> commands) {
        this.thread = new Thread(() -> read(bootstrap, commands), "command-arrivals");
        this.thread.setDaemon(true);
    }

    static CommandArrivals start(String bootstrap, Topic<String, ?> commands) {
        CommandArrivals arrivals = new CommandArrivals(bootstrap, commands);
        arrivals.thread.start();
        return arrivals;
    }

    private void read(String bootstrap, Topic<String, ?> commands) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(commands.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    firstArrival.putIfAbsent(r.key(), System.currentTimeMillis());
                }
            }
        }
    }

    /** Prints p50, p99 and max of first arrival minus fault start over the faulted hosts (wall clock, ms). */
    void report(Map<String, Long> faultStartWallMs) {
        List<Long> latencies = new ArrayList<>();
        faultStartWallMs.forEach((host, start) -> {
            Long at = firstArrival.get(host);
            if (at != null) {
                latencies.add(at - start);
            }
        });
        print("on the control topic (wall clock)", latencies, faultStartWallMs.size());
    }

    /** Prints p50, p99 and max of {@code latencies} (ms; sorted here) measured one way over the faulted gateways. */
    static void print(String measure, List<Long> latencies, int faulted) {
        Collections.sort(latencies);
        System.out.printf(Locale.ROOT, "fault to command %s over %d of %d faulted gateways: p50 %s ms, p99 %s ms,"
                        + " max %s ms%n", measure, latencies.size(), faulted, percentile(latencies, 0.5),
                percentile(latencies, 0.99), latencies.isEmpty() ? "-" : latencies.get(latencies.size() - 1));
    }

    private static String percentile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? "-" : Long.toString(sorted.get((int) Math.min(sorted.size() - 1,
                Math.ceil(q * sorted.size()) - 1)));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}

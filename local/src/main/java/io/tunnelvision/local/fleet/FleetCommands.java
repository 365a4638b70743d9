package io.tunnelvision.local.fleet;

import io.tunnelvision.agent.apply.ResultSink;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's one command reader: where each real agent reads the one partition its host id maps to, the
 * simulated fleet reads every partition of the commands topic on one thread and hands each command to the
 * executor of the gateway it is keyed for. Like the agent it reads read_committed, starts from the earliest
 * offset when it has none, and commits a command's offset only after its result is in the spool.
 */
final class FleetCommands implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetCommands.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Topic<String, TuningCommand> topic;
    private final Map<String, FleetGateway> gateways;
    private final ResultSink results;
    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final AtomicLong handled = new AtomicLong();
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fleet-commands");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running = true;
    private volatile Consumer<byte[], byte[]> consumer;

    FleetCommands(Topic<String, TuningCommand> topic, Map<String, FleetGateway> gateways, ResultSink results,
                  Supplier<Consumer<byte[], byte[]>> consumers) {
        this.topic = topic;
        this.gateways = Map.copyOf(gateways);
        this.results = results;
        this.consumers = consumers;
    }

    static Map<String, Object> consumerSettings(String bootstrap, String namespace) {
        String prefix = namespace.isEmpty() ? "" : namespace + ".";
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, prefix + "tunnelvision-agent-simulated-fleet",
                ConsumerConfig.CLIENT_ID_CONFIG, "simulated-fleet-executor",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    }

    FleetCommands start() {
        loop.execute(this);
        return this;
    }

    @Override
    public void run() {
        while (running) {
            try {
                if (consumer == null) {
                    Consumer<byte[], byte[]> c = consumers.get();
                    consumer = c;
                    c.assign(partitions(c));
                }
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    handle(record);
                    done.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
            } catch (WakeupException e) {
                // close() woke us up
            } catch (KafkaException | IllegalStateException e) {
                if (!running) {
                    break;
                }
                LOG.warn("fleet command reader: {}; retrying in a second", e.toString());
                discard();
                pause();
            }
        }
        discard();
    }

    private List<TopicPartition> partitions(Consumer<byte[], byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(topic.name(), Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic.name() + " does not exist (yet)");
        }
        List<TopicPartition> all = new ArrayList<>();
        for (PartitionInfo info : infos) {
            all.add(new TopicPartition(info.topic(), info.partition()));
        }
        return all;
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        FleetGateway gateway = key == null ? null : gateways.get(key);
        if (gateway == null) {
            return; // a command for a host outside this fleet: not ours, as an agent skips other hosts' records
        }
        TuningCommand command;
        try {
            command = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            LOG.warn("record {}-{}@{} is no TuningCommand ({}): dead-lettered", record.topic(), record.partition(),
                    record.offset(), e.toString());
            results.deadLetter(record, e);
            return;
        }
        CommandResult result = gateway.handle(command);
        results.publish(result);
        handled.incrementAndGet();
        LOG.info("{}: {} {} {} -> {} ({})", key, command.getAction(), command.getTarget(),
                command.getNewValue(), result.getStatus(), result.getReason());
    }

    long handledCommands() {
        return handled.get();
    }

    /** Drops the consumer (it only has assigned partitions, so closing it leaves no group to rebalance). */
    private void discard() {
        Utils.closeQuietly(consumer, "the fleet's command consumer");
        consumer = null;
    }

    private void pause() {
        try {
            TimeUnit.SECONDS.sleep(1);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    /** Stops reading: wakes a poll in progress and waits (up to 10 s) for the command in hand to finish. */
    @Override
    public void close() {
        running = false;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        loop.shutdown();
        try {
            if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
                loop.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

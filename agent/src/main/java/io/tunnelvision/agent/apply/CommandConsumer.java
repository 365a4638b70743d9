package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.publish.ThreadStop;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.topic.Topic;
import io.tunnelvision.schemas.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads this host's commands and hands them to the {@link CommandExecutor}, one at a time and in order.
 *
 * <p>It assigns itself the one partition its host id maps to ({@link HostPartition}) instead of joining a
 * group-managed subscription: no rebalances, and a gateway never fetches the fleet's commands. Records keyed for
 * other hosts that share the partition are skipped unread. Reads are read_committed, so a command from an aborted
 * planner transaction never runs. The offset is committed after the result has gone to the spool, so a command
 * is handled at least once; the executor answers a second delivery with the first one's result (sent again, so a
 * result lost with a crash still arrives), never with a second write and never with a refusal.
 *
 * <p>{@link #forHosts} reads every partition for many hosts at once (the simulated fleet: one reader, each
 * command handed to the executor of the host it is keyed for), with the same ordering, dead-lettering and retry.
 */
public final class CommandConsumer implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandConsumer.class);
    // poll returns as soon as a command arrives and close() wakes it: a long poll only saves an idle agent's CPU.
    private static final Duration POLL = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Topic<String, TuningCommand> topic;
    private final String reader;
    private final Function<List<PartitionInfo>, List<TopicPartition>> assignment;
    /** The handler of a record's key, or null for a host this reader does not serve. */
    private final Function<String, Function<TuningCommand, CommandResult>> handlers;
    private final ResultSink results;
    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final Object stop = new Object();
    private volatile boolean running = true;
    private volatile Consumer<byte[], byte[]> consumer;
    private Thread thread;

    public CommandConsumer(Topic<String, TuningCommand> topic, String hostId, CommandExecutor executor,
                           ResultSink results, Supplier<Consumer<byte[], byte[]>> consumers) {
        this(topic, hostId,
                infos -> List.of(new TopicPartition(topic.name(), HostPartition.of(hostId, infos.size()))),
                key -> hostId.equals(key) ? executor::handle : null, results, consumers);
    }

    private CommandConsumer(Topic<String, TuningCommand> topic, String reader,
                            Function<List<PartitionInfo>, List<TopicPartition>> assignment,
                            Function<String, Function<TuningCommand, CommandResult>> handlers, ResultSink results,
                            Supplier<Consumer<byte[], byte[]>> consumers) {
        this.topic = topic;
        this.reader = reader;
        this.assignment = assignment;
        this.handlers = handlers;
        this.results = results;
        this.consumers = consumers;
    }

    /**
     * A reader of every partition of the commands topic for the hosts in {@code handlers}, each command handed to
     * its host's handler; records of other hosts are skipped as an agent skips them.
     */
    public static CommandConsumer forHosts(Topic<String, TuningCommand> topic, String reader,
                                           Map<String, Function<TuningCommand, CommandResult>> handlers,
                                           ResultSink results, Supplier<Consumer<byte[], byte[]>> consumers) {
        Map<String, Function<TuningCommand, CommandResult>> byHost = Map.copyOf(handlers);
        return new CommandConsumer(topic, reader, infos -> {
            List<TopicPartition> all = new ArrayList<>(infos.size());
            for (PartitionInfo info : infos) {
                all.add(new TopicPartition(info.topic(), info.partition()));
            }
            return all;
        }, byHost::get, results, consumers);
    }

    /**
     * Consumer settings: no auto-commit, read_committed, and the earliest offset when the group has none yet, so
     * that every command sent to a host gets a result (a stale one an EXPIRED result) even if the agent started
     * late. The group only stores this host's offsets; it never rebalances because partitions are assigned.
     */
    public static Map<String, Object> consumerSettings(String bootstrapServers, String namespace, String hostId) {
        return consumerSettings(bootstrapServers, Map.of(), namespace, hostId);
    }

    /**
     * @param security the client security properties ({@code KafkaSecurity.clientProperties()}); the group is under
     *                 {@link Topics#agentGroupPrefix()}, the one group prefix the agents' ACL allows
     */
    public static Map<String, Object> consumerSettings(String bootstrapServers, Map<String, Object> security,
                                                       String namespace, String hostId) {
        Map<String, Object> settings = new HashMap<>(security);
        settings.putAll(consumer(bootstrapServers, Topics.inNamespace(namespace).agentGroupPrefix() + hostId,
                hostId));
        return Map.copyOf(settings);
    }

    private static Map<String, Object> consumer(String bootstrapServers, String groupId, String hostId) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.CLIENT_ID_CONFIG, "agent-executor-" + hostId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50,
                // The broker answers a fetch as soon as a command is there; an empty one is held up to this long,
                // instead of 500 ms, so an idle agent sends one fetch per 10 s, not two a second (agent CPU).
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10_000,
                // No JMX reporter and no metrics push: the agent reports its own metrics (agent memory and CPU).
                ConsumerConfig.METRIC_REPORTER_CLASSES_CONFIG, "",
                ConsumerConfig.ENABLE_METRICS_PUSH_CONFIG, false);
    }

    public synchronized CommandConsumer start() {
        thread = new Thread(this, "command-consumer");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    @Override
    public void run() {
        long backoffMs = 200;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = consumers.get();
                    consumer.assign(partitions(consumer));
                    LOG.info("reading commands for {} from {}", reader, consumer.assignment());
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (!running || !handle(record)) {
                        break;
                    }
                }
                backoffMs = 200;
            } catch (WakeupException e) {
                // close() woke us up
            } catch (KafkaException | IllegalStateException e) {
                if (!running) {
                    break;
                }
                LOG.warn("command consumer: {}; retrying in {} ms", e.toString(), backoffMs);
                discardConsumer();
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
            }
        }
        discardConsumer();
    }

    private List<TopicPartition> partitions(Consumer<byte[], byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(topic.name(), Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic.name() + " does not exist (yet)");
        }
        return assignment.apply(infos);
    }

    /** False when the record must be retried: the consumer was rewound to it. */
    private boolean handle(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        Function<TuningCommand, CommandResult> handler = key == null ? null : handlers.apply(key);
        if (handler == null) {
            skipped.incrementAndGet();
            commit(tp, record.offset());
            return true;
        }
        TuningCommand command;
        try {
            command = topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            undecodable.incrementAndGet();
            LOG.warn("record {}-{}@{} is not a TuningCommand this agent can read ({}): dead-lettered", record.topic(),
                    record.partition(), record.offset(), e.toString());
            try {
                results.deadLetter(record, e);
            } catch (RuntimeException spoolFailure) {
                LOG.error("cannot dead-letter {}-{}@{} ({}); will retry", record.topic(), record.partition(),
                        record.offset(), spoolFailure.toString());
                consumer.seek(tp, record.offset());
                return false;
            }
            commit(tp, record.offset());
            return true;
        }
        try {
            CommandResult result = handler.apply(command);
            results.publish(result);
            handled.incrementAndGet();
        } catch (RuntimeException e) {
            // the state directory or the spool cannot be written: nothing was applied without its record, so
            // stop here and try the same command again rather than lose it
            LOG.error("cannot handle command {} ({}); will retry", command.getCommandId(), e.toString());
            consumer.seek(tp, record.offset());
            sleep(5_000);
            return false;
        }
        commit(tp, record.offset());
        return true;
    }

    private void commit(TopicPartition tp, long offset) {
        try {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)));
        } catch (KafkaException e) {
            // the next start reads this command again and the executor answers it with the same result
            LOG.warn("could not commit offset {} of {}: {}", offset + 1, tp, e.toString());
        }
    }

    private void discardConsumer() {
        Consumer<byte[], byte[]> c = consumer;
        consumer = null;
        if (c != null) {
            try {
                c.close(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.debug("closing the command consumer: {}", e.toString());
            }
        }
    }

    public long handledCommands() {
        return handled.get();
    }

    public long skippedRecords() {
        return skipped.get();
    }

    public long undecodableRecords() {
        return undecodable.get();
    }

    /** Waits {@code ms}, or less when closed. */
    private void sleep(long ms) {
        long deadline = System.nanoTime() + ms * 1_000_000;
        synchronized (stop) {
            try {
                long left;
                while (running && (left = deadline - System.nanoTime()) > 0) {
                    stop.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        // Woken, not interrupted: it may be appending a result to the spool (ThreadStop says why).
        synchronized (stop) {
            running = false; // under the monitor too, so a sleep that has just checked it cannot miss the notify
            stop.notifyAll();
        }
        ThreadStop.await(t);
    }
}

package io.tunnelvision.agent.publish;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How the agent's producer talks to Kafka: idempotent (the broker drops the producer's own retries; a batch
 * replayed from the spool after a failure is removed downstream by sequence number), every replica acknowledges,
 * zstd (samples compress well), and short client-side timeouts, because the spool, not the producer's memory, is
 * what rides out an outage.
 *
 * <p>The record buffer is 2 MiB instead of Kafka's 32 MiB: a second of samples is a few KiB, and the buffer is
 * Java heap, so 32 MiB would let a replay of a long outage (500 records a batch) outgrow the agent's small
 * heap. It stays above {@code max.request.size} (1 MiB), so no record that Kafka would take is refused for want
 * of buffer; a full buffer only makes {@code send} wait for the broker to catch up.
 */
public final class ProducerSettings {

    private ProducerSettings() {
    }

    /** How long the producer itself retries a record before the sender takes it back to the spool. */
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(15);

    static final long BUFFER_MEMORY_BYTES = 2L * 1024 * 1024;

    /**
     * One produce request in flight per broker, so a partition never has two batches on the wire: with five (the
     * idempotent default), a fresh producer whose first batch to a partition is answered NOT_LEADER_OR_FOLLOWER
     * (a restarted broker still electing) can have its second batch accepted before the first (a broker that
     * knows nothing of a producer id takes any first sequence number), and the first then fails out of order and
     * is replayed behind it. Streams drops a sample that arrives behind a later one of its host as stale, so that
     * sample got no rate of its own (BrokerKillIT, RELIABILITY.md "Kills"). A gateway sends a few KB a second and
     * one request carries the batches of every partition on that broker, so one in flight costs nothing there.
     */
    static final int IN_FLIGHT_REQUESTS = 1;

    /** {@code hostId} names the client, so the broker's logs and quotas tell the agents apart. */
    public static Map<String, Object> forBootstrap(String bootstrapServers, String hostId) {
        return forBootstrap(bootstrapServers, hostId, DEFAULT_DELIVERY_TIMEOUT);
    }

    /** On a broker without security (tests' embedded broker). */
    public static Map<String, Object> forBootstrap(String bootstrapServers, String hostId,
                                                   Duration deliveryTimeout) {
        return forBootstrap(bootstrapServers, Map.of(), hostId, deliveryTimeout);
    }

    /**
     * @param security the client security properties ({@code KafkaSecurity.clientProperties()}), which this
     *                 producer's own settings never override
     */
    public static Map<String, Object> forBootstrap(String bootstrapServers, Map<String, Object> security,
                                                   String hostId) {
        return forBootstrap(bootstrapServers, security, hostId, DEFAULT_DELIVERY_TIMEOUT);
    }

    public static Map<String, Object> forBootstrap(String bootstrapServers, Map<String, Object> security,
                                                   String hostId, Duration deliveryTimeout) {
        Map<String, Object> settings = new HashMap<>(security);
        settings.putAll(producer(bootstrapServers, hostId, deliveryTimeout));
        return Map.copyOf(settings);
    }

    private static Map<String, Object> producer(String bootstrapServers, String hostId, Duration deliveryTimeout) {
        int delivery = Math.toIntExact(deliveryTimeout.toMillis());
        int request = Math.max(500, delivery / 3);
        return Map.ofEntries(
                Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "agent-" + hostId),
                Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, IN_FLIGHT_REQUESTS),
                Map.entry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"),
                Map.entry(ProducerConfig.LINGER_MS_CONFIG, 20),
                Map.entry(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_MEMORY_BYTES),
                Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, request),
                Map.entry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request),
                Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery),
                Map.entry(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000),
                // No JMX reporter and no client metrics push: the agent has its own /metrics, and both cost
                // classes, memory and CPU on every gateway.
                Map.entry(ProducerConfig.METRIC_REPORTER_CLASSES_CONFIG, ""),
                Map.entry(ProducerConfig.ENABLE_METRICS_PUSH_CONFIG, false));
    }
}

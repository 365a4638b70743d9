package io.tunnelvision.streams;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/**
 * The Kafka Streams configuration the app runs with: exactly-once (v2), and records that cannot be decoded, or
 * that a processor throws on, go to the dead-letter topic with headers saying where from and why (KIP-1034)
 * while processing continues.
 */
public final class StreamsProperties {

    private StreamsProperties() {
    }

    /** Reads the security settings' files ({@code KafkaSecurity.clientProperties()}): call it once at start. */
    public static Properties of(StreamsAppConfig config) {
        Properties props = new Properties();
        // unprefixed client settings reach every client Streams makes: consumers, producers, admin
        props.putAll(config.kafkaSecurity().clientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        // A host task reads seven sample and result topics. With the default (0) it re-checks every empty one
        // of them before each record, formatting a log line per partition even with trace off: a quarter of the
        // stream thread's profile samples in the throughput benchmark. Each kind of sample is ordered within its own partition, which
        // is all a rate needs; detectors that combine kinds read the other kind's latest value, so waiting to
        // interleave topics by timestamp buys nothing.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueExceptionHandler.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueProcessingExceptionHandler.class.getName());
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.topics().deadLetters.name());
        // internal topics take the broker's default replication factor, like the registry's topics
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return props;
    }
}

package io.tunnelvision.api.http;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.sign.DecisionSigner;
import io.tunnelvision.schemas.topic.Topic;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Signs each decision with the api's own key and sends it to the decisions topic keyed by host, like every record
 * about a host. The gate acts only on decisions that verify with that key, so the api's 403 for a viewer cannot
 * be bypassed by writing to the topic directly.
 */
public final class KafkaDecisionPublisher implements DecisionPublisher, AutoCloseable {

    private final Producer<String, CommandDecision> producer;
    private final Topic<String, CommandDecision> topic;
    private final DecisionSigner signer;

    public KafkaDecisionPublisher(Producer<String, CommandDecision> producer, Topic<String, CommandDecision> topic,
                                  DecisionSigner signer) {
        this.producer = producer;
        this.topic = topic;
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    @Override
    public void publish(CommandDecision decision) throws Exception {
        CommandDecision signed = signer.sign(decision);
        producer.send(new ProducerRecord<>(topic.name(), signed.getHostId(), signed)).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}

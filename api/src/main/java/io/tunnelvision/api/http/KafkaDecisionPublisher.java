package io.tunnelvision.api.http;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.topic.Topic;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Decisions go to the decisions topic keyed by host, like every record about a host. */
public final class KafkaDecisionPublisher implements DecisionPublisher, AutoCloseable {

    private final Producer<String, CommandDecision> producer;
    private final Topic<String, CommandDecision> topic;

    public KafkaDecisionPublisher(Producer<String, CommandDecision> producer, Topic<String, CommandDecision> topic) {
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public void publish(CommandDecision decision) throws Exception {
        producer.send(new ProducerRecord<>(topic.name(), decision.getHostId(), decision)).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}

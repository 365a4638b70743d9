package io.tunnelvision.streams.state;

import io.tunnelvision.schemas.codec.AvroSerde;
import io.tunnelvision.schemas.codec.PayloadDecodeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde for an internal topic that carries several record types: single-object encoding already names the
 * writer schema by its fingerprint, so the fingerprint picks the type. Only types listed at construction, in
 * their current version, are known; an internal topic is written and read by the same build.
 */
public final class AnyRecordSerde implements Serde<SpecificRecord>, Serializer<SpecificRecord>,
        Deserializer<SpecificRecord> {

    private static final int FINGERPRINT_OFFSET = 2;

    private final Map<Class<?>, AvroSerde<? extends SpecificRecord>> byType = new HashMap<>();
    private final Map<Long, AvroSerde<? extends SpecificRecord>> byFingerprint = new HashMap<>();

    public AnyRecordSerde(List<AvroSerde<? extends SpecificRecord>> serdes) {
        for (AvroSerde<? extends SpecificRecord> serde : serdes) {
            Class<? extends SpecificRecord> type = serde.codec().type();
            byType.put(type, serde);
            byFingerprint.put(SchemaNormalization.parsingFingerprint64(SpecificData.get().getSchema(type)), serde);
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public byte[] serialize(String topic, SpecificRecord data) {
        if (data == null) {
            return null;
        }
        AvroSerde serde = byType.get(data.getClass());
        if (serde == null) {
            throw new IllegalArgumentException(data.getClass().getSimpleName() + " is not carried on " + topic);
        }
        return serde.serialize(topic, data);
    }

    @Override
    public SpecificRecord deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < FINGERPRINT_OFFSET + Long.BYTES) {
            throw new PayloadDecodeException(topic + ": payload of " + data.length + " bytes has no fingerprint");
        }
        long fingerprint = ByteBuffer.wrap(data, FINGERPRINT_OFFSET, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
        AvroSerde<? extends SpecificRecord> serde = byFingerprint.get(fingerprint);
        if (serde == null) {
            throw new PayloadDecodeException(topic + ": no known record type has fingerprint " + fingerprint);
        }
        return serde.deserialize(topic, data);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // the types are fixed at construction
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public Serializer<SpecificRecord> serializer() {
        return this;
    }

    @Override
    public Deserializer<SpecificRecord> deserializer() {
        return this;
    }
}

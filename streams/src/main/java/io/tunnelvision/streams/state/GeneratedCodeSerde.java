package io.tunnelvision.streams.state;

import io.tunnelvision.schemas.codec.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The same bytes as {@link AvroSerde} (single-object encoding: {@code C3 01}, the schema's fingerprint, the body),
 * written by the encoder Avro generates into each record class instead of its generic, reflective writer, which
 * was most of the stream thread's serialization time. Reading is {@link AvroSerde}'s: every schema version of the
 * history, with its checks on bad payloads. For the stores written on every sample and the rates sinks.
 */
public final class GeneratedCodeSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T> {

    private final AvroSerde<T> reader;
    private final byte[] header;
    private final SpecificDatumWriter<T> writer;

    public GeneratedCodeSerde(AvroSerde<T> reader) {
        this.reader = reader;
        Schema schema = reader.codec().schema();
        this.header = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01)
                .putLong(SchemaNormalization.parsingFingerprint64(schema)).array();
        SpecificData model = new SpecificData(reader.codec().type().getClassLoader());
        model.setCustomCoders(true);
        this.writer = new SpecificDatumWriter<>(schema, model);
    }

    public static <T extends SpecificRecord> GeneratedCodeSerde<T> of(AvroSerde<T> reader) {
        return new GeneratedCodeSerde<>(reader);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (AvroRuntimeException | NullPointerException | ClassCastException e) {
            // a missing required field surfaces as a NullPointerException in the generated encoder
            throw new IllegalArgumentException("cannot encode " + data.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the schema is the generated class's
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return reader;
    }
}

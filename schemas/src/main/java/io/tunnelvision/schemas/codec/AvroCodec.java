package io.tunnelvision.schemas.codec;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes one record type with Avro single-object encoding ({@code C3 01}, the writer schema's 8-byte
 * fingerprint, then the binary body) and decodes payloads written by any schema version the store knows.
 * Thread-safe: Avro's message encoder and decoder keep their buffers per thread.
 */
public final class AvroCodec<T extends SpecificRecord> {

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;
    private static final int HEADER_BYTES = 10;

    private final Class<T> type;
    private final Schema readerSchema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type, SchemaStore store) {
        AvroLimits.install();
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
        this.decoder = new BinaryMessageDecoder<>(model, readerSchema, store);
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, Stores.HISTORY);
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaStore store) {
        return new AvroCodec<>(type, store);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return readerSchema;
    }

    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
            // Avro reports a missing required field as a NullPointerException deep in the writer.
            throw new IllegalArgumentException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public T decode(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new PayloadDecodeException(type.getSimpleName() + ": empty payload");
        }
        if (payload.length > AvroLimits.MAX_PAYLOAD_BYTES) {
            throw new PayloadDecodeException(type.getSimpleName() + ": payload of " + payload.length
                    + " bytes exceeds the limit of " + AvroLimits.MAX_PAYLOAD_BYTES);
        }
        if (payload.length < HEADER_BYTES || payload[0] != MARKER_0 || payload[1] != MARKER_1) {
            throw new PayloadDecodeException(type.getSimpleName() + ": not Avro single-object encoding (expected "
                    + "C3 01 and an 8-byte fingerprint, got " + describeStart(payload) + ")");
        }
        try {
            return decoder.decode(payload);
        } catch (MissingSchemaException e) {
            throw new PayloadDecodeException(type.getSimpleName() + ": unknown writer schema fingerprint "
                    + HexFormat.of().formatHex(payload, 2, HEADER_BYTES)
                    + " (written by a newer or foreign producer; add its schema to the history)", e);
        } catch (BadHeaderException e) {
            throw new PayloadDecodeException(type.getSimpleName() + ": bad header: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new PayloadDecodeException(type.getSimpleName() + ": truncated payload of "
                    + payload.length + " bytes", e);
        } catch (IOException | RuntimeException e) {
            // AvroRuntimeException (limits, bad union index, bad enum ordinal), ArrayIndexOutOfBounds,
            // NegativeArraySize and ClassCast are what corrupt bodies look like inside Avro's decoder.
            throw new PayloadDecodeException(type.getSimpleName() + ": corrupt payload of " + payload.length
                    + " bytes: " + e, e);
        }
    }

    private static String describeStart(byte[] payload) {
        int n = Math.min(payload.length, 4);
        return payload.length + " bytes starting " + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(payload, 0, n);
    }

    /** The default store is loaded once: it parses every historic schema. */
    private static final class Stores {
        static final SchemaStore HISTORY = VersionedSchemaStore.fromHistory();
    }
}

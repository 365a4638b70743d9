package io.tunnelvision.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.ExampleRecords;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    @Test
    void everyRecordTypeSurvivesARoundTrip() {
        for (SpecificRecord record : ExampleRecords.all("gw-1")) {
            AvroCodec<SpecificRecord> codec = codecFor(record);
            SpecificRecord decoded = codec.decode(codec.encode(record));
            assertEquals(record, decoded, record.getClass().getSimpleName());
        }
    }

    @Test
    void theExamplesCoverEveryTopLevelRecord() {
        assertEquals(new java.util.HashSet<>(AvroRecords.all()),
                ExampleRecords.all("gw-1").stream().map(Object::getClass).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void payloadStartsWithTheSingleObjectMarkerAndTheWriterFingerprint() {
        AvroCodec<SoftnetSample> codec = AvroCodec.of(SoftnetSample.class);
        byte[] payload = codec.encode(ExampleRecords.softnet("gw-1"));

        assertEquals((byte) 0xC3, payload[0]);
        assertEquals((byte) 0x01, payload[1]);
        long fingerprint = ByteBuffer.wrap(payload, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(VersionedSchemaStore.fingerprint(SoftnetSample.getClassSchema()), fingerprint);
    }

    @Test
    void encodingIsDeterministic() {
        AvroCodec<SoftnetSample> codec = AvroCodec.of(SoftnetSample.class);
        SoftnetSample sample = ExampleRecords.softnet("gw-1");
        assertArrayEquals(codec.encode(sample), codec.encode(SoftnetSample.newBuilder(sample).build()));
    }

    @Test
    void aRecordMissingARequiredFieldIsRefusedWithItsTypeInTheMessage() {
        SoftnetSample broken = new SoftnetSample(new SampleHeader(null, "b", 1L, 2L, "v"), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AvroCodec.of(SoftnetSample.class).encode(broken));
        assertTrue(e.getMessage().contains("SoftnetSample"), e.getMessage());
    }

    @Test
    void generatedClassesAreTrustedWithoutAnySystemProperty() {
        AvroLimits.install();
        assertTrue(org.apache.avro.util.ClassSecurityValidator.getGlobal().isTrusted(SoftnetSample.class));
        assertTrue(AvroLimits.limitsActive(), "Avro decode limits must be active after install()");
    }

    @SuppressWarnings("unchecked")
    static AvroCodec<SpecificRecord> codecFor(SpecificRecord record) {
        return (AvroCodec<SpecificRecord>) AvroCodec.of(record.getClass());
    }
}

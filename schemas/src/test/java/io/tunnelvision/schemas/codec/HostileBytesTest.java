package io.tunnelvision.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tunnelvision.schemas.ExampleRecords;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes from the network are hostile until decoded. Each case must end in a {@link PayloadDecodeException} whose
 * message says what was wrong, quickly and without large allocations: this test JVM runs with a 256 MiB heap
 * (see the module pom), so a decoder that trusted a length prefix would die with an OutOfMemoryError.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileBytesTest {

    private final AvroCodec<SoftnetSample> codec = AvroCodec.of(SoftnetSample.class);
    private final byte[] valid = codec.encode(ExampleRecords.softnet("gw-1"));

    @Test
    void emptyPayload() {
        assertRefused(new byte[0], "empty payload");
    }

    @Test
    void payloadWithoutTheSingleObjectMarker() {
        assertRefused("{\"hostId\":\"gw-1\"}".getBytes(), "not Avro single-object encoding");
    }

    @Test
    void headerCutInsideTheFingerprint() {
        assertRefused(Arrays.copyOf(valid, 6), "not Avro single-object encoding");
    }

    @Test
    void fingerprintOfNoKnownSchema() {
        byte[] forged = valid.clone();
        forged[5] ^= 0x5A;
        assertRefused(forged, "unknown writer schema fingerprint");
    }

    @Test
    void payloadOfAnotherRecordType() {
        byte[] link = AvroCodec.of(LinkSample.class).encode(ExampleRecords.link("gw-1"));
        // LinkSample's schema is known to the store but cannot be resolved into a SoftnetSample.
        assertThrows(PayloadDecodeException.class, () -> codec.decode(link));
    }

    @Test
    void everyTruncationOfAValidPayload() {
        for (int length = 10; length < valid.length; length++) {
            byte[] cut = Arrays.copyOf(valid, length);
            int n = length;
            PayloadDecodeException e = assertThrows(PayloadDecodeException.class, () -> codec.decode(cut),
                    () -> "truncated to " + n + " bytes");
            assertTrue(e.getMessage().contains("SoftnetSample"), e.getMessage());
        }
    }

    @Test
    void stringThatClaimsOneGibibyte() {
        byte[] payload = concat(Arrays.copyOf(valid, 10), zigzagVarint(1L << 30), "gw".getBytes());
        assertRefused(payload, "SoftnetSample");
    }

    @Test
    void stringThatClaimsANegativeLength() {
        assertRefused(concat(Arrays.copyOf(valid, 10), zigzagVarint(-5), "gw".getBytes()), "SoftnetSample");
    }

    @Test
    void arrayThatClaimsABillionItems() {
        assertRefused(withCpuArrayCount(1_000_000_000L), "SoftnetSample");
    }

    @Test
    void arrayThatClaimsJustUnderTheItemLimit() {
        assertRefused(withCpuArrayCount(AvroLimits.MAX_COLLECTION_ITEMS - 1L), "SoftnetSample");
    }

    @Test
    void payloadLargerThanTheLimit() {
        byte[] huge = Arrays.copyOf(valid, AvroLimits.MAX_PAYLOAD_BYTES + 1);
        assertRefused(huge, "exceeds the limit");
    }

    @Test
    void randomGarbageAfterAValidHeaderNeverEscapesAsAnythingElse() {
        Random random = new Random(20261124L);
        for (int i = 0; i < 5_000; i++) {
            byte[] body = new byte[random.nextInt(64)];
            random.nextBytes(body);
            byte[] payload = concat(Arrays.copyOf(valid, 10), body);
            try {
                codec.decode(payload);
            } catch (PayloadDecodeException expected) {
                // the only acceptable failure
            } catch (Throwable other) {
                fail("seed iteration " + i + " escaped as " + other, other);
            }
        }
    }

    @Test
    void randomFlipsInAValidPayloadNeverEscapeAsAnythingElse() {
        Random random = new Random(7L);
        for (int i = 0; i < 5_000; i++) {
            byte[] payload = valid.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int at = 10 + random.nextInt(payload.length - 10);
                payload[at] = (byte) random.nextInt(256);
            }
            try {
                codec.decode(payload);
            } catch (PayloadDecodeException expected) {
                // fine
            } catch (Throwable other) {
                fail("iteration " + i + " escaped as " + other, other);
            }
        }
    }

    private byte[] withCpuArrayCount(long count) {
        // A sample with no CPUs ends with the array's terminating zero; replace it with a huge block count.
        byte[] empty = codec.encode(new SoftnetSample(ExampleRecords.header("gw-1", 1), List.of()));
        return concat(Arrays.copyOf(empty, empty.length - 1), zigzagVarint(count));
    }

    private void assertRefused(byte[] payload, String expectedInMessage) {
        PayloadDecodeException e = assertThrows(PayloadDecodeException.class, () -> codec.decode(payload));
        assertTrue(e.getMessage().contains(expectedInMessage),
                () -> "message '" + e.getMessage() + "' should mention '" + expectedInMessage + "'");
    }

    static byte[] zigzagVarint(long value) {
        long n = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

}
